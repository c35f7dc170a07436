/**
 * Uploads one encoded stream with tus: from the server's offset (HEAD), chunk by chunk, each
 * checksummed; an offset mismatch asks the server again, a lost connection retries with a
 * growing pause, an abort (pause) stops between or inside chunks without losing what the server
 * acknowledged.
 *
 * @module drops/upload
 */

import { alignedChunk } from "./encode-source.js";

export const CHUNK_BYTES = 8 * 1024 * 1024;
export const RETRIES = 5;

/**
 * @param {object} options
 * @param {import("./tus.js").Tus} options.tus
 * @param {string} options.path the upload
 * @param {{ length: number, read: (offset: number, max: number) => Promise<Uint8Array> }} options.source
 * @param {(offset: number) => void} [options.onProgress] the acknowledged offset
 * @param {AbortSignal} [options.signal]
 * @param {number} [options.chunkBytes]
 * @param {(ms: number) => Promise<void>} [options.sleep]
 * @returns {Promise<{ resumedFrom: number }>} the offset the server had when this call began
 */
export async function uploadStream({ tus, path, source, onProgress = () => {}, signal, chunkBytes = CHUNK_BYTES, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) }) {
  const status = await tus.status(path, signal);
  if (status === null) throw Object.assign(new Error("the upload is gone"), { gone: true });
  if (status.length !== source.length) throw Object.assign(new Error("the upload has another length"), { gone: true });
  let offset = status.offset;
  const resumedFrom = offset;
  onProgress(offset);
  let failures = 0;
  // The next chunk is read (and sealed) while this one travels: one chunk ahead, no more.
  /** @type {{ offset: number, bytes: Promise<Uint8Array> } | null} */
  let ahead = null;
  const readAt = (/** @type {number} */ at) => source.read(at, alignedChunk(at, chunkBytes, source.length));
  while (offset < source.length) {
    signal?.throwIfAborted();
    const bytes = await (ahead?.offset === offset ? ahead.bytes : readAt(offset));
    ahead = null;
    if (offset + bytes.length < source.length) {
      ahead = { offset: offset + bytes.length, bytes: readAt(offset + bytes.length) };
      ahead.bytes.catch(() => {}); // not awaited when the server says another offset
    }
    try {
      offset = await tus.append(path, offset, bytes, { signal });
      failures = 0;
      onProgress(offset);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const problem = /** @type {any} */ (error);
      if (problem?.status === 404 || problem?.status === 410) throw Object.assign(new Error("the upload is gone"), { gone: true });
      // 409: another offset (ask again) or busy (a PATCH cut by a pause is still being closed on
      // the server); 460: the chunk arrived damaged; 0 and 5xx: the network or the server.
      const retriable = problem?.status === 0 || problem?.status === 409 || problem?.status === 460 || problem?.status >= 500;
      if (!retriable || ++failures > RETRIES) throw error;
      if (problem.slug !== "upload-offset-mismatch" && problem.status !== 460) await sleep(Math.min(30_000, 500 * 2 ** failures));
      const again = await tus.status(path, signal);
      if (again === null) throw Object.assign(new Error("the upload is gone"), { gone: true });
      offset = again.offset;
      onProgress(offset);
    }
  }
  return { resumedFrom };
}
