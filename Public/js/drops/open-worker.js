/**
 * Module worker that opens drop records for another worker (drops/open-records.js,
 * `workerOpeners`): `{ op: "start", stream, ikm, header }` derives a stream's keys, `{ op: "open",
 * stream, id, buffer, offset, length, sequence, last }` opens one range's records (the buffer is
 * transferred here and back) and answers `{ id, ok: true, buffer, plaintext, finished }` or
 * `{ id, ok: false, damaged, detail | message }`; `{ op: "end", stream }` forgets the stream. Jobs
 * are opened one at a time in the order they came, so the first range is done first. It posts
 * `{ ready: true }` once loaded.
 *
 * @module drops/open-worker
 */

import { DamagedError, RecordOpener } from "./ece.js";
import { openInPlace } from "./open-records.js";

/** @type {Map<number, Promise<RecordOpener>>} */
const streams = new Map();
/** @type {Promise<unknown>} */
let queue = Promise.resolve();

self.addEventListener("message", ({ data }) => {
  if (data.op === "start") {
    const opener = RecordOpener.create(data.ikm, data.header);
    opener.catch(() => {}); // reported by each job of the stream
    streams.set(data.stream, opener);
  } else if (data.op === "end") {
    streams.delete(data.stream);
  } else if (data.op === "open") {
    const opener = streams.get(data.stream);
    queue = queue.then(async () => {
      try {
        if (!opener) throw new Error("no such stream");
        const opened = await openInPlace(await opener, data);
        self.postMessage({ id: data.id, ok: true, ...opened }, [opened.buffer]);
      } catch (error) {
        const damaged = error instanceof DamagedError;
        const message = String(/** @type {any} */ (error)?.message ?? error);
        self.postMessage({ id: data.id, ok: false, damaged, detail: message.replace(/^damaged: /, ""), message });
      }
    });
  }
});

self.postMessage({ ready: true });
