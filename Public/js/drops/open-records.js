/**
 * Opening a range's records where they lie, on this thread or on a worker of their own
 * (drops/open-worker.js). AES-GCM on WebCrypto runs on the calling thread in Chromium (about 2 CPU
 * s per GiB with the calls around it), so on the download worker's thread it took turns with
 * reading the ranges and writing the plaintext; on a second thread it overlaps with them.
 *
 * A job is one range's memory: `buffer` (owned by the job: it is transferred to the worker and
 * back) holds `length` bytes of whole records from `offset`, the first being record `sequence`,
 * the final one the stream's last when `last`. Opened, each record's plaintext is moved to the
 * front of the same buffer, in order (a record's plaintext never reaches a record not yet given to
 * WebCrypto: record i's plaintext ends at (i + 1) × 64 KiB, before record i + 1's first byte), and
 * the job answers `{ buffer, plaintext, finished }`: the plaintext is `buffer[0, plaintext)`.
 *
 * @module drops/open-records
 */

import { DROP_RECORD_SIZE, DamagedError, RecordOpener } from "./ece.js";

/** Records given to WebCrypto together (its calls take their nonce before they await). */
export const OPEN_RECORDS = 32;

/**
 * @typedef {{ buffer: ArrayBuffer, offset: number, length: number, sequence: number, last: boolean }} OpenJob
 * @typedef {{ buffer: ArrayBuffer, plaintext: number, finished: boolean }} Opened
 * @typedef {{ open: (job: OpenJob) => Promise<Opened>, close: () => void }} Opener
 * @typedef {(ikm: Uint8Array, header: Uint8Array, options: { crypto: Crypto }) => Promise<Opener>} Openers
 */

/**
 * Opens one job's records with `opener`, the plaintext moved to the buffer's front.
 * @param {RecordOpener} opener @param {OpenJob} job @returns {Promise<Opened>}
 */
export async function openInPlace(opener, job) {
  const bytes = new Uint8Array(job.buffer);
  const end = job.offset + job.length;
  opener.skipTo(job.sequence);
  let at = job.offset;
  let put = 0;
  while (at < end) {
    const opening = [];
    while (at < end && opening.length < OPEN_RECORDS) {
      const take = Math.min(DROP_RECORD_SIZE, end - at);
      opening.push(opener.open(bytes.subarray(at, at + take), job.last && at + take === end));
      at += take;
    }
    for (const plaintext of await Promise.all(opening)) {
      bytes.set(plaintext, put);
      put += plaintext.length;
    }
  }
  return { buffer: job.buffer, plaintext: put, finished: opener.finished };
}

/**
 * Opens on the calling thread, one job at a time in the order they came (a job's batches await
 * in between, and the opener's record number is the job's).
 * @type {Openers}
 */
export async function localOpeners(ikm, header, { crypto }) {
  const opener = await RecordOpener.create(ikm, header, { crypto });
  /** @type {Promise<unknown>} */
  let queue = Promise.resolve();
  return {
    open(job) {
      const opened = queue.then(() => openInPlace(opener, job));
      queue = opened.catch(() => {});
      return opened;
    },
    close: () => {},
  };
}

/**
 * The client of one opening worker, shared by every stream this thread opens: each stream gets a
 * number, each job an id, and the worker opens its jobs one at a time, in the order they came.
 * Until the worker says it is ready, jobs wait; if it fails to start, every stream opens here.
 * @param {() => Worker} makeWorker
 * @returns {Openers}
 */
export function workerOpeners(makeWorker) {
  /** @type {Promise<{ worker: Worker, pending: Map<number, { resolve: (opened: Opened) => void, reject: (error: unknown) => void }> } | null> | null} */
  let started = null;
  let next = 0;
  const start = () => {
    started ??= new Promise((resolve) => {
      let worker;
      try {
        worker = makeWorker();
      } catch {
        resolve(null);
        return;
      }
      /** @type {Map<number, { resolve: (opened: Opened) => void, reject: (error: unknown) => void }>} */
      const pending = new Map();
      worker.addEventListener("message", ({ data }) => {
        if (data.ready) {
          resolve({ worker, pending });
          return;
        }
        const job = pending.get(data.id);
        pending.delete(data.id);
        if (!job) return;
        if (data.ok) job.resolve({ buffer: data.buffer, plaintext: data.plaintext, finished: data.finished });
        else job.reject(data.damaged ? new DamagedError(data.detail) : new Error(data.message));
      });
      worker.addEventListener("error", (event) => {
        event.preventDefault?.();
        resolve(null); // before it was ready: open here instead
        for (const job of pending.values()) job.reject(new Error("the worker opening the records failed"));
        pending.clear();
        started = Promise.resolve(null); // and for the streams after
      });
    });
    return started;
  };
  return async (ikm, header, options) => {
    const shared = await start();
    if (!shared) return localOpeners(ikm, header, options);
    const { worker, pending } = shared;
    const stream = next++;
    worker.postMessage({ op: "start", stream, ikm, header });
    return {
      open(job) {
        const id = next++;
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          worker.postMessage({ op: "open", stream, id, ...job }, [job.buffer]);
        });
      },
      close: () => worker.postMessage({ op: "end", stream }),
    };
  };
}

/** @type {Openers | null} */
let shared = null;

/**
 * On a worker of its own where this scope can start one (a browser's worker, a page), else here
 * (node: the tests).
 * @type {Openers}
 */
export function defaultOpeners(ikm, header, options) {
  if (typeof Worker !== "function") return localOpeners(ikm, header, options);
  shared ??= workerOpeners(() => new Worker(new URL("./open-worker.js", import.meta.url), { type: "module" }));
  return shared(ikm, header, options);
}
