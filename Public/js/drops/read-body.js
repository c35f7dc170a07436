/**
 * Reads a response body into memory the caller already has, instead of `arrayBuffer()`'s fresh
 * buffer per response: Chromium pays a page fault per 4 KiB of fresh memory, and reading a 16 MiB
 * range with `arrayBuffer()` cost about 5 CPU s per GiB on the reading thread, against about 1.2
 * with a BYOB reader into reused memory (Benchmarks/README.md, "Drops in the browser").
 *
 * @module drops/read-body
 */

/**
 * Reads all of `body` into `into`. With a BYOB reader (a byte stream, as fetch bodies are in
 * Chromium) `into`'s buffer is transferred to the stream and back, so `into` is detached
 * afterwards and the bytes are in the returned view (same offset, a new `ArrayBuffer` object
 * holding the same memory); otherwise the chunks are copied into `into`. A body longer than
 * `into` is an error (a range answer never is).
 * @param {ReadableStream<Uint8Array>} body
 * @param {Uint8Array} into
 * @returns {Promise<Uint8Array>} the bytes read, a view of length at most `into.length`
 */
export async function readBodyInto(body, into) {
  /** @type {ReadableStreamBYOBReader | null} */
  let byob = null;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    byob = null; // not a byte stream: read chunks and copy them
  }
  const tooLong = () => new Error("the answer is longer than the range asked for");
  if (byob) {
    // `into` reads as empty once its buffer moved: its place is kept here.
    let buffer = /** @type {ArrayBuffer} */ (into.buffer);
    const offset = into.byteOffset;
    const room = into.length;
    let got = 0;
    while (got < room) {
      const { value, done } = await byob.read(new Uint8Array(buffer, offset + got, room - got));
      if (value) buffer = /** @type {ArrayBuffer} */ (value.buffer);
      if (done) return new Uint8Array(buffer, offset, got);
      got += value.length;
    }
    // Full: the body must end here (one byte of room to find out).
    const { done } = await byob.read(new Uint8Array(1));
    if (!done) {
      await byob.cancel().catch(() => {});
      throw tooLong();
    }
    return new Uint8Array(buffer, offset, got);
  }
  const reader = body.getReader();
  let got = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return into.subarray(0, got);
    if (got + value.length > into.length) {
      await reader.cancel().catch(() => {});
      throw tooLong();
    }
    into.set(value, got);
    got += value.length;
  }
}
