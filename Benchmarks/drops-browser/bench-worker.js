/**
 * Benchmark-only module worker for Benchmarks/run-drops-browser.py, started from a blob: URL
 * with its imports made absolute (so it runs the client's modules exactly as upload-worker.js and
 * download-worker.js do; nothing of it is in the server's files). Each job runs one pipeline with
 * the real modules, with or without the encryption, and times its parts:
 *
 * - `upload`: tus create, then uploads.js's uploadStream (the same chunking, the same SHA-256
 *   Upload-Checksum) of either createEncodeSource (the real drop stream) or a plain source that
 *   hands out `File.slice` bytes of the same chunk lengths;
 * - `download`: one drop file's ranges (decode-stream.js's RANGE_RECORDS a range) read as
 *   download-worker.js reads them (range-reader.js: one long answer read into the memory of
 *   ranges already written) and written with a sync access handle into an OPFS file
 *   (sync-write.js's writeFully, as the app), through decodeStream (records opened on its opening
 *   worker, up to PIPELINE_RANGES ranges in the pipeline) or through `plainDownload`, the same
 *   pipeline without the opening (ranges of as many records, as many in the pipeline, the same
 *   2 MiB pieces handed to the sink at the same offsets), so both make the same writes and flushes; the OPFS file is deleted
 *   afterwards. `parts.flush` is the time spent in `flush()` (an fdatasync every 8 MiB), part of
 *   `parts.write`. A job's `decode` ({ rangeRecords, pipelineRanges }) overrides the defaults in
 *   both pipelines (the benchmark's ENC_VARIANTS).
 */

import { createHttp } from "../http.js";
import { writeFully } from "../sync-write.js";
import { createDropsApi } from "./drops-api.js";
import { AsyncQueue } from "./async-queue.js";
import { decodeStream, OPEN_RECORDS, PIPELINE_RANGES, RANGE_RECORDS } from "./decode-stream.js";
import { DROP_RECORD_SIZE } from "./ece.js";
import { createRangeReader } from "./range-reader.js";
import { createEncodeSource } from "./encode-source.js";
import { PLAINTEXT_PER_RECORD } from "./sizes.js";
import { createTus } from "./tus.js";
import { uploadStream } from "./upload.js";

const parts = { read: 0, network: 0, write: 0, flush: 0 };
const now = () => performance.now();
const timed = async (key, promise) => {
  const start = now();
  try {
    return await promise;
  } finally {
    parts[key] += now() - start;
  }
};
// From a blob: URL a path has no base: the API's absolute URL (the script puts the origin in).
const http = createHttp({ fetch: (input, init) => timed("network", fetch(input, init)), base: "__ORIGIN__/api/v1" });

/**
 * The plain download: decodeStream's shape without the opening. A reading loop fetches the ranges
 * in turn (as many in the pipeline as decodeStream holds, each into the memory of a range already
 * written) and a writing loop hands each range to the sink as decodeStream hands plaintext:
 * 32 records' worth a call (here the plain bytes of 32 records, so the pieces are the same 2 MiB
 * at the same offsets), awaiting each call, so both pipelines make the same writes and the same
 * flushes (one every 8 MiB). A failure on either side stops the other.
 * @param {(start: number, end: number, into: ArrayBuffer) => Promise<Uint8Array>} fetchRange
 * @param {number} length @param {(bytes: Uint8Array) => void} write
 * @param {{ rangeRecords?: number, pipelineRanges?: number }} options
 */
async function plainDownload(fetchRange, length, write, { rangeRecords = RANGE_RECORDS, pipelineRanges = PIPELINE_RANGES }) {
  const rangeBytes = rangeRecords * PLAINTEXT_PER_RECORD;
  const piece = OPEN_RECORDS * PLAINTEXT_PER_RECORD;
  const free = [];
  const ranges = new AsyncQueue();
  // decodeStream reads its first range, then one more per range written while up to
  // `pipelineRanges` are in the pipeline: as many slots here, the first range's included.
  const slots = new AsyncQueue(Array.from({ length: pipelineRanges }, () => true));
  const fail = (error) => {
    ranges.fail(error);
    slots.fail(error);
  };
  const reading = (async () => {
    for (let start = 0; start < length; ) {
      await slots.take();
      const bytes = await fetchRange(start, Math.min(length, start + rangeBytes), free.pop() ?? new ArrayBuffer(rangeBytes));
      if (bytes.length === 0) throw new Error("the stream is truncated");
      ranges.put(bytes);
      start += bytes.length;
    }
    ranges.end();
  })();
  reading.catch(fail);
  try {
    for (;;) {
      const bytes = await ranges.take();
      if (bytes === undefined) break;
      for (let put = 0; put < bytes.length; put += piece) {
        await write(bytes.subarray(put, Math.min(bytes.length, put + piece)));
      }
      free.push(bytes.buffer);
      slots.put(true);
    }
  } catch (error) {
    fail(error);
    throw error;
  }
  await reading;
}

self.addEventListener("message", async ({ data: job }) => {
  for (const key of Object.keys(parts)) parts[key] = 0;
  const started = now();
  try {
    if (job.op === "upload") {
      const tus = createTus(http);
      const real = job.mode === "enc"
        ? await createEncodeSource(job.file, job.ikm, job.salt)
        : { length: job.file.size, read: async (offset, max) => new Uint8Array(await job.file.slice(offset, offset + max).arrayBuffer()) };
      const source = { length: real.length, read: (offset, max) => timed("read", real.read(offset, max)) };
      const path = await tus.create(source.length);
      await uploadStream({ tus, path, source });
      self.postMessage({ ok: true, ms: now() - started, parts, path });
      return;
    }
    if (job.op === "download") {
      const api = createDropsApi(http);
      const root = await navigator.storage.getDirectory();
      const name = `bench-${job.mode}-${Date.now()}.out`;
      const handle = await (await root.getFileHandle(name, { create: true })).createSyncAccessHandle();
      let at = 0;
      let unflushed = 0;
      const write = (bytes) => {
        const start = now();
        writeFully(handle, bytes, at);
        at += bytes.length;
        unflushed += bytes.length;
        if (unflushed >= 8 * 1024 * 1024) {
          const f = now();
          handle.flush();
          parts.flush += now() - f;
          unflushed = 0;
        }
        parts.write += now() - start;
      };
      const ranges = createRangeReader({
        request: (start, end) => api.rangeAnswer(job.id, job.index, job.proof, job.ticket, start, end),
        length: job.length,
      });
      const fetchRange = (start, end, into) => ranges.read(start, end, into);
      try {
        if (!job.mode.startsWith("plain")) {
          await decodeStream({ fetchRange, length: job.length, size: job.size, salt: job.salt, ikm: job.ikm, write, ...(job.decode ?? {}) });
        } else {
          await plainDownload(fetchRange, job.length, write, job.decode ?? {});
        }
      } finally {
        ranges.close();
      }
      handle.flush();
      handle.close();
      const size = at;
      await root.removeEntry(name);
      self.postMessage({ ok: true, ms: now() - started, parts, size });
      return;
    }
    throw new Error(`unknown op ${job.op}`);
  } catch (error) {
    self.postMessage({ ok: false, message: String(error?.message ?? error) });
  }
});
