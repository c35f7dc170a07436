/**
 * Reading a drop file's stream range after range (drops/decode-stream.js) from one request: the
 * first range read into a buffer asks the server for everything from there to the stream's end,
 * and each next range that starts where the last one ended is read from the same answer, with a
 * BYOB reader, into the memory it is given (a buffer of a range already written). A range that
 * starts elsewhere (a resume, the record cut short in an answer) drops the answer and asks again
 * from there; a read given no buffer (the header alone, before a resume) asks for just its bytes.
 *
 * Why: in Chromium each request cost the reading thread about 45 ms of CPU whatever its length
 * (a probe, 2026-12-06: 16 MiB ranges read with a BYOB reader 4.0 CPU s/GiB, 64 MiB ranges 1.4,
 * one answer for everything 1.0), and `arrayBuffer()` takes each body into fresh memory (5.0
 * CPU s/GiB for 16 MiB ranges, page faults included). Only the reading is changed: the bytes,
 * their order and their checks are decode-stream.js's as before.
 *
 * Where the body cannot be read into given memory (no `body`, no BYOB reader, a server that
 * ignores Range), every range is asked for alone and taken with `arrayBuffer()`.
 *
 * An answer that fails while its body is read (the connection dropped) fails the read with an
 * {@link ApiProblem} of status 0, as a request that got no answer does: the caller may ask again
 * (download-worker.js does, a few times), and that read starts a new answer.
 *
 * @module drops/range-reader
 */

import { ApiProblem } from "../http.js";

/**
 * @typedef {{
 *   read: (start: number, end: number, into?: ArrayBuffer | null) => Promise<Uint8Array>,
 *   close: () => void,
 * }} RangeReader
 */

/**
 * @param {object} options
 * @param {(start: number, end: number) => Promise<Response>} options.request the answer to a
 *   request for bytes `[start, end)` (206, or 200 from a server that ignores Range)
 * @param {number} options.length the stream's length (where a long read's request ends)
 * @returns {RangeReader}
 */
export function createRangeReader({ request, length }) {
  /** @type {{ reader: ReadableStreamBYOBReader, at: number, end: number } | null} */
  let current = null;
  let streaming = true;

  const drop = () => {
    const open = current;
    current = null;
    open?.reader.cancel().catch(() => {});
  };

  /** Bytes `[start, end)` alone, taken whole. @param {number} start @param {number} end */
  const exact = async (start, end) => {
    const response = await request(start, end);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status === 200) return bytes.subarray(start, end); // a server that ignores Range
    return bytes;
  };

  /**
   * Bytes `[start, end)`, fewer when the answer ends first; with `into`, read into it (it is
   * detached: the bytes returned are a view on its successor) when it holds `end − start`.
   * @param {number} start @param {number} end @param {ArrayBuffer | null} [into]
   * @returns {Promise<Uint8Array>}
   */
  async function read(start, end, into = null) {
    if (!into || !streaming) {
      drop();
      return exact(start, end);
    }
    if (current?.at !== start) {
      drop();
      const response = await request(start, length);
      /** @type {ReadableStreamBYOBReader | null} */
      let reader = null;
      if (response.status === 206 && response.body) {
        try {
          reader = response.body.getReader({ mode: "byob" });
        } catch {
          reader = null; // no byte stream here
        }
      }
      if (!reader) {
        streaming = false;
        response.body?.cancel().catch(() => {});
        return exact(start, end);
      }
      // Where the answer ends: a read asking for more than is left would fail, not come short.
      const told = Number(response.headers.get("Content-Length") ?? NaN);
      current = { reader, at: start, end: Number.isSafeInteger(told) && told > 0 ? start + told : Infinity };
    }
    const open = current;
    if (open.at >= open.end) {
      drop(); // this answer is used up (a server that answers less than asked): ask again
      return read(start, end, into);
    }
    const want = Math.min(end, open.end) - start;
    let buffer = into.byteLength >= want ? into : new ArrayBuffer(want);
    let got = 0;
    try {
      while (got < want) {
        // `min`: one read for the whole range where the browser knows it (others read less).
        // Without a length told, `min` stays 1: a read asking for more than the answer has left
        // would fail rather than come back short.
        const min = open.end === Infinity ? 1 : want - got;
        const { value, done } = await open.reader.read(new Uint8Array(buffer, got, want - got), { min });
        if (value) {
          buffer = /** @type {ArrayBuffer} */ (value.buffer);
          got += value.byteLength;
        }
        if (done) {
          if (current === open) current = null; // the answer ended: the next range asks again
          break;
        }
      }
    } catch (error) {
      if (current === open) drop();
      throw new ApiProblem(
        {
          status: 0,
          slug: "network",
          title: "Network error",
          detail: "The connection dropped during the download. Check the connection and try again.",
        },
        error,
      );
    }
    if (current === open) open.at += got;
    return new Uint8Array(buffer, 0, got);
  }

  /** `close` ends the answer being read, if any (the download is done or failed). */
  return { read, close: drop };
}
