/**
 * Reading a drop file's stream range after range (drops/decode-stream.js) from few requests: a
 * range read into a buffer asks the server for up to {@link ANSWER_BYTES} from its start, and the
 * ranges after it that start where the last one ended are read from the same answer (a range
 * that crosses the answer's end is finished from the next answer), with a BYOB reader, into the
 * memory each is given (the buffer of a range already written). A range that starts elsewhere
 * (a resume, a record cut short) drops the answer and asks again from there; a read given no
 * buffer (the header alone, before a resume) asks for just its bytes.
 *
 * Why: in Chromium each request cost the reading thread tens of ms of CPU (a probe, 2026-12-06,
 * per GiB: 16 MiB answers read with a BYOB reader 4.0 CPU s, 64 MiB answers 1.4, 256 MiB 1.1,
 * one answer for everything 1.0), and `arrayBuffer()` takes each body into fresh memory (5.0
 * CPU s/GiB for 16 MiB ranges, page faults included). Answers stay bounded because the server
 * checks a drop's state per request: a revocation stops a download within one answer. 64 MiB
 * keeps that within a few seconds on a slow line; 256 MiB saved another 0.3 CPU s/GiB.
 * Only the reading is changed: the bytes, their order and their checks are decode-stream.js's.
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

/** The most one request asks for: 64 MiB, about 32 ranges of decode-stream.js. */
export const ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * @param {object} options
 * @param {(start: number, end: number) => Promise<Response>} options.request the answer to a
 *   request for bytes `[start, end)` (206, or 200 from a server that ignores Range)
 * @param {number} options.length the stream's length (no answer reaches past it)
 * @param {number} [options.answerBytes] the most one request asks for
 * @returns {RangeReader}
 */
export function createRangeReader({ request, length, answerBytes = ANSWER_BYTES }) {
  /** @type {{ reader: ReadableStreamBYOBReader, start: number, at: number, end: number } | null} */
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

  /** A new answer from `at`, or null where its body cannot be read into given memory. @param {number} at */
  const answer = async (at) => {
    const response = await request(at, Math.min(length, at + answerBytes));
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
      return null;
    }
    // Where the answer ends (it may be less than asked): a read asking for more than is left
    // would fail rather than come back short.
    const told = Number(response.headers.get("Content-Length") ?? NaN);
    return { reader, start: at, at, end: Number.isSafeInteger(told) && told > 0 ? at + told : Infinity };
  };

  /**
   * Bytes `[start, end)`, fewer only when an answer ends with no byte of them; with `into`, read
   * into it (it is detached: the bytes returned are a view on its successor) when it holds
   * `end − start`.
   * @param {number} start @param {number} end @param {ArrayBuffer | null} [into]
   * @returns {Promise<Uint8Array>}
   */
  async function read(start, end, into = null) {
    if (!into || !streaming) {
      drop();
      return exact(start, end);
    }
    const want = end - start;
    let buffer = into.byteLength >= want ? into : new ArrayBuffer(want);
    let got = 0;
    while (got < want) {
      if (current?.at !== start + got || current.at >= current.end) {
        drop();
        current = await answer(start + got);
        if (!current) {
          if (got === 0) return exact(start, end);
          break; // what was read so far; the rest is asked for alone
        }
      }
      const open = current;
      const stop = Math.min(want, open.end - start);
      let value;
      let done;
      try {
        // `min`: one read for what this answer has of the range where the browser knows it.
        // Without a length told, `min` stays 1: a read asking for more than the answer has left
        // would fail rather than come back short.
        ({ value, done } = await open.reader.read(new Uint8Array(buffer, got, stop - got), { min: open.end === Infinity ? 1 : stop - got }));
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
      const read = value?.byteLength ?? 0;
      if (value) buffer = /** @type {ArrayBuffer} */ (value.buffer);
      got += read;
      open.at += read;
      if (done) {
        if (current === open) current = null; // the next bytes come from a new answer
        // An answer that ended without a byte: what came is returned (decode-stream.js asks
        // for the rest again, or finds the stream truncated).
        if (open.at === open.start) break;
      }
    }
    return new Uint8Array(buffer, 0, got);
  }

  /** `close` ends the answer being read, if any (the download is done or failed). */
  return { read, close: drop };
}
