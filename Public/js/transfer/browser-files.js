/**
 * The browser's file adapters for the peer client (see `FileAdapters` in peer-client.js):
 *
 * - **Sending**: each file is read and hashed in a module worker (transfer/read-worker.js), one
 *   block ahead, and blocks are transferred (not copied) to the page, which puts them on the
 *   channel and transfers each block's buffer back with the next read, to be read into again. The page holds at most the sender's window of bytes, whatever the file size.
 * - **Receiving**: every item is written into the origin private file system by a worker with
 *   synchronous access handles (transfer/opfs-worker.js), which hashes as it writes; the page
 *   gathers the received chunks into 8 MiB batches for it (transfer/write-batch.js). Once an
 *   item is verified it is delivered: saved as a download (an object URL of the OPFS file, so
 *   the bytes stream from disk), or copied by streaming into a new folder inside the folder the
 *   user picked (File System Access API, where it exists). Accepted as one zip, the verified
 *   items wait in the OPFS until the last one is verified; the zip is then a `Blob` of their
 *   OPFS files between zip headers (drops/zip.js, STORE, ZIP64 past 4 GiB; each CRC-32 read back
 *   from disk by the worker), saved as one download: nothing is copied. The OPFS part is then deleted. Until
 *   verification nothing is visible outside the OPFS, so a failed or tampered item never lands
 *   where the user looks.
 *
 * Nothing here opens or runs a received file: downloads use `download` with the sanitised name.
 *
 * @module transfer/browser-files
 */

import { ZipWriter } from "../drops/zip.js";
import { partName } from "./resume.js";
import { INCOMING_DIRECTORY } from "./opfs-writer.js";
import { WriteBatch } from "./write-batch.js";

/** @typedef {import("./manifest.js").Manifest} Manifest */
/** @typedef {import("./manifest.js").ManifestItem} ManifestItem */
/** @typedef {import("./receiver.js").Sink} Sink */

/**
 * How long a file handed to the browser as a download (an object URL of OPFS files) is kept
 * before it is deleted: the browser reads it from there, after a "Save as" dialog if it asks.
 */
export const DOWNLOAD_GRACE_MS = 10 * 60_000;

/**
 * Time between two automatic downloads. Chromium drops some of many downloads started in one go
 * (a walkthrough saved 12, 15 and 19 of 20 files accepted as separate downloads, with the row
 * saying "done"); started one at a time, this far apart, each is taken.
 */
export const DOWNLOAD_SPACING_MS = 300;

/**
 * Starts downloads one after another, {@link DOWNLOAD_SPACING_MS} apart (the page's one queue:
 * downloads of several transfers are spaced too).
 *
 * A download still waiting for its turn exists only in this page: its item is verified and
 * recorded as delivered, so a reload or a closed tab would lose it. While any waits (a few
 * hundred milliseconds per download), leaving the page asks first (`beforeunload` on `guard`).
 * @param {{ setTimeout: typeof setTimeout }} timers
 * @param {Pick<EventTarget, "addEventListener" | "removeEventListener"> | null} [guard] the window
 */
export function downloadQueue(timers, guard = null) {
  let last = Promise.resolve();
  let waiting = 0;
  /** @param {Event} event */
  const askBeforeLeaving = (event) => {
    event.preventDefault(); // asks, in Chromium since version 119, Firefox and Safari
    // Older browsers ask only when returnValue is set (read-only on a plain Event).
    if (typeof BeforeUnloadEvent === "function" && event instanceof BeforeUnloadEvent) event.returnValue = "";
  };
  /** @param {() => void} start */
  return (start) => {
    if (waiting++ === 0) guard?.addEventListener("beforeunload", askBeforeLeaving);
    last = last.then(
      () =>
        new Promise((resolve) => {
          timers.setTimeout(resolve, DOWNLOAD_SPACING_MS);
          try {
            start();
          } catch {
            // A click that throws starts nothing; the next one still starts after the spacing
            // (thrown out of here it would reject the queue's chain and stop every later one).
          } finally {
            if (--waiting === 0) guard?.removeEventListener("beforeunload", askBeforeLeaving);
          }
        }),
    );
  };
}

/**
 * Request/response over a worker, in order.
 * @param {Worker} worker
 */
function caller(worker) {
  let next = 0;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, back?: (buffer: ArrayBuffer) => void }>} */
  const waiting = new Map();
  worker.addEventListener("message", (event) => {
    const { id, ok, value, message, bytes } = event.data;
    const entry = waiting.get(id);
    if (!entry) return;
    waiting.delete(id);
    if (bytes instanceof ArrayBuffer) entry.back?.(bytes);
    if (ok) entry.resolve(value);
    else entry.reject(new Error(message));
  });
  /**
   * @param {string} op
   * @param {string} part
   * @param {Uint8Array} [bytes]
   * @param {(buffer: ArrayBuffer) => void} [back] takes the buffer of `bytes` when the worker gives it back
   * @returns {Promise<any>}
   */
  return (op, part, bytes, back) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject, back });
      if (bytes) {
        // Transfer, not copy, the whole buffer (a batch of our own, transfer/write-batch.js) and
        // say where the bytes are in it.
        const buffer = /** @type {ArrayBuffer} */ (bytes.buffer);
        worker.postMessage({ id, op, part, bytes: buffer, at: bytes.byteOffset, length: bytes.byteLength }, [buffer]);
      } else {
        worker.postMessage({ id, op, part });
      }
    });
}

/** How long a read worker with nothing to read is kept for the next item before it is ended. */
export const READ_WORKER_IDLE_MS = 2000;

/**
 * A sending {@link import("./sender.js").Source} over File objects, read in a worker.
 *
 * One worker reads item after item: starting a module worker costs tens of milliseconds, which
 * was most of the time of a small file (a folder of 200 small files took 57 ms a file). A worker
 * still busy when the next item is opened (a read, or the prefix hash of a resumed item, for an
 * item the receiver abandoned) is ended instead, so the new item never waits behind it; one left
 * idle after its last item is ended after {@link READ_WORKER_IDLE_MS}.
 * @param {File[]} files
 * @param {() => Worker} makeWorker
 * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [timers]
 * @returns {import("./sender.js").Source}
 */
export function workerSource(files, makeWorker, timers = globalThis) {
  /** @type {{ worker: Worker, replies: Array<(data: any) => void> } | null} */
  let current = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let idle = null;
  const end = () => {
    current?.worker.terminate();
    current = null;
  };
  return {
    async open(index, offset) {
      if (idle !== null) timers.clearTimeout(idle);
      idle = null;
      if (current && current.replies.length > 0) end(); // busy with an abandoned item
      if (!current) {
        const made = { worker: makeWorker(), replies: /** @type {Array<(data: any) => void>} */ ([]) };
        made.worker.addEventListener("message", (event) => made.replies.shift()?.(event.data));
        current = made;
      }
      const mine = current;
      /** @param {Record<string, unknown>} request @param {Transferable[]} [transfer] */
      const ask = (request, transfer = []) =>
        new Promise((resolve, reject) => {
          if (current !== mine) return reject(new Error("the file reader was closed"));
          mine.replies.push((data) => (data.type === "error" ? reject(new Error(data.message)) : resolve(data)));
          mine.worker.postMessage(request, transfer);
        });
      /** @type {any} */
      let opened;
      try {
        opened = await ask({ type: "open", file: files[index], offset });
      } catch (error) {
        if (current === mine) end(); // no reader will close it
        throw error;
      }
      /** The buffer of a sent block, given back to the worker with the next read. @type {ArrayBuffer | null} */
      let spare = null;
      let closed = false;
      return {
        prefixSha256: opened.prefixSha256,
        read: async (maxBytes) => {
          const give = spare;
          spare = null;
          const reply = /** @type {any} */ (await ask({ type: "read", maxBytes, give }, give ? [give] : []));
          return reply.bytes === null ? null : new Uint8Array(reply.bytes, 0, reply.length);
        },
        release: (block) => {
          if (block.byteOffset === 0) spare = /** @type {ArrayBuffer} */ (block.buffer);
        },
        sha256: async () => /** @type {any} */ (await ask({ type: "digest" })).sha256,
        close: () => {
          if (closed || current !== mine) return;
          closed = true;
          if (idle !== null) timers.clearTimeout(idle);
          idle = timers.setTimeout(() => {
            idle = null;
            if (current === mine) end();
          }, READ_WORKER_IDLE_MS);
        },
      };
    },
  };
}

/**
 * The flat name a download gets: browsers do not create folders for downloads, so the folder
 * path becomes part of the name ("Photos/2024/a.jpg" → "Photos_2024_a.jpg").
 * @param {string} path a sanitised path
 */
export function downloadName(path) {
  return path.split("/").join("_");
}

/**
 * The name of a zip of received items: their one top folder's, or "From <sender>".
 * @param {Manifest} manifest
 * @param {string} fromName
 */
export function zipName(manifest, fromName) {
  return zipNameFor(manifest.items.map((item) => item.path), `From ${fromName}`);
}

/**
 * The name of a zip of files at these paths: their one top folder's, else `otherwise`
 * (made safe as a file name, at most 60 characters).
 * @param {string[]} paths
 * @param {string} otherwise
 */
export function zipNameFor(paths, otherwise) {
  const tops = new Set(paths.map((path) => path.split("/")[0]));
  const folder = tops.size === 1 && paths.every((path) => path.includes("/")) ? [...tops][0] : null;
  return downloadName(`${folder ?? otherwise.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").slice(0, 60)}.zip`);
}

/**
 * The name of a zip of a drop's files: their top folder's, or the first file's name without its
 * extension and how many more ("photo and 2 more.zip"), never a bare "drop.zip".
 * @param {string[]} paths
 */
export function dropZipName(paths) {
  const first = (paths[0] ?? "drop").split("/").pop() ?? "drop";
  const stem = first.includes(".") && !first.startsWith(".") ? first.slice(0, first.lastIndexOf(".")) : first;
  return zipNameFor(paths, paths.length > 1 ? `${stem} and ${paths.length - 1} more` : stem);
}

/**
 * A new folder name inside `parent` that does not exist yet: received files never merge into
 * (or overwrite) an existing folder.
 * @param {FileSystemDirectoryHandle} parent
 * @param {string} base
 */
async function newFolder(parent, base) {
  for (let n = 1; n < 1000; n++) {
    const name = n === 1 ? base : `${base} (${n})`;
    try {
      await parent.getDirectoryHandle(name);
    } catch {
      return parent.getDirectoryHandle(name, { create: true });
    }
  }
  throw new Error("no free folder name");
}

/**
 * @param {object} options
 * @param {() => Worker} options.makeReadWorker
 * @param {() => Worker} options.makeWriteWorker
 * @param {Document} [options.document]
 * @param {() => Promise<FileSystemDirectoryHandle>} [options.opfsRoot]
 * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
 * @param {Pick<EventTarget, "addEventListener" | "removeEventListener"> | null} [options.unloadGuard] where
 *   `beforeunload` is heard (the window): leaving asks first while downloads wait to start
 * @returns {import("../peer-client.js").FileAdapters & { prune: (book: import("./resume.js").ResumeBook) => Promise<void> }}
 */
export function createBrowserFiles({
  makeReadWorker,
  makeWriteWorker,
  document = globalThis.document,
  opfsRoot = () => navigator.storage.getDirectory(),
  timers = globalThis,
  unloadGuard = typeof globalThis.addEventListener === "function" ? globalThis : null,
}) {
  /** @type {ReturnType<typeof caller> | null} */
  let call = null;
  const writer = () => (call ??= caller(makeWriteWorker()));
  const incoming = async () => (await opfsRoot()).getDirectoryHandle(INCOMING_DIRECTORY, { create: true });
  /**
   * Deletes a handed-over part, then its record.
   * @param {string} part @param {import("./resume.js").ResumeBook | undefined} book
   */
  const deletePart = (part, book) => writer()("remove", part).then(() => book?.deletedHandedOver(part), () => {});
  const startDownload = downloadQueue(timers, unloadGuard);

  return {
    sourceFor: (files) => workerSource(files, makeReadWorker, timers),

    sinksFor({ fromDevice, fromName, manifest, target, book }) {
      /** @type {Promise<FileSystemDirectoryHandle> | null} */
      let folder = null;
      /** The name of the folder made in the picked one ("From Ann", "From Ann (2)"), once made. */
      let folderName = /** @type {string | null} */ (null);
      const parts = new Set();
      /**
       * What was handed over as a download and is still kept: the row offers "Save again" (a
       * blocked or missed automatic download is otherwise lost when the grace ends).
       * @type {Array<{ name: string, url: string, until: number }>}
       */
      const saved = [];
      /**
       * Saves `blob` (backed by OPFS part files) as a download, and deletes the parts once the
       * browser has had time to read them.
       * @param {Blob} blob @param {string} name @param {string[]} used
       */
      function handOver(blob, name, used) {
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = name;
        link.rel = "noopener";
        startDownload(() => link.click());
        const entry = { name, url, until: Date.now() + DOWNLOAD_GRACE_MS };
        saved.push(entry);
        // Recorded first: if this page goes before the timer, the next start deletes them.
        for (const part of used) {
          book?.handedOver(part);
          book?.forgetPart(part); // no longer resumable (a zip's parts were kept until now)
        }
        timers.setTimeout(() => {
          saved.splice(saved.indexOf(entry), 1);
          URL.revokeObjectURL(url);
          for (const part of used) {
            parts.delete(part);
            void deletePart(part, book);
          }
        }, DOWNLOAD_GRACE_MS);
      }

      return {
        /** The downloads still kept, to be saved again by a click. */
        saved: () => saved.map((entry) => ({ ...entry })),
        /** The folder the items went into, inside the one the user picked (null: not a folder, or nothing yet). */
        savedInto: () => folderName,

        /** @param {ManifestItem} item @returns {Promise<Sink>} */
        async open(item) {
          const part = partName(fromDevice, item);
          parts.add(part);
          const { offset } = await writer()("open", part);
          // Appends are gathered into large buffers (transfer/write-batch.js); anything else
          // about the part first sends what is gathered, so requests stay in order.
          /** @param {number} at */
          const batchFrom = (at) => {
            /** @type {WriteBatch} */
            const made = new WriteBatch({ offset: at, write: (bytes) => writer()("write", part, bytes, (buffer) => made.give(buffer)) });
            return made;
          };
          let batch = batchFrom(offset);
          /** @type {Sink} */
          const sink = {
            offset,
            prefixSha256: async () => {
              await batch.flush();
              return writer()("prefix", part);
            },
            write: async (bytes) => {
              sink.offset = await batch.append(bytes);
            },
            flush: () => {
              void batch.flush().catch(() => {}); // an append's own promise reports a failure
            },
            finish: async () => {
              await batch.flush();
              return writer()("finish", part);
            },
            truncate: async () => {
              await batch.flush();
              await writer()("truncate", part);
              batch = batchFrom(0);
              sink.offset = 0;
            },
            close: async () => {
              await batch.flush().catch(() => {});
              return writer()("close", part);
            },
            discard: async () => {
              parts.delete(part);
              await batch.flush().catch(() => {});
              await writer()("remove", part);
            },
          };
          return sink;
        },

        /** Puts a verified item where the user wanted it, then deletes its OPFS part. @param {ManifestItem} item */
        async deliver(item) {
          if (target.kind === "zip") return; // kept for the zip, made once every item is here
          // The folder is asked for before anything awaits, so `complete` finds it under way.
          if (target.kind === "folder" && target.handle) {
            folder ??= newFolder(target.handle, `From ${fromName.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").slice(0, 60)}`).then((dir) => {
              folderName = dir.name;
              return dir;
            });
          }
          const part = partName(fromDevice, item);
          const file = await (await (await incoming()).getFileHandle(part)).getFile();
          if (target.kind === "folder" && target.handle) {
            let dir = await /** @type {Promise<FileSystemDirectoryHandle>} */ (folder);
            const segments = item.path.split("/");
            const name = /** @type {string} */ (segments.pop());
            for (const segment of segments) dir = await dir.getDirectoryHandle(segment, { create: true });
            const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
            await file.stream().pipeTo(writable); // streams from disk to disk; closes the writable
            parts.delete(part);
            await writer()("remove", part);
            return;
          }
          handOver(file, downloadName(item.path), [part]);
        },

        /** Every item is verified: as one zip, the download is made now. */
        async complete() {
          // Into a folder: done once it is named, so the transfer's end can say where it went.
          if (target.kind === "folder") return void (await folder?.catch(() => {}));
          if (target.kind !== "zip") return;
          const dir = await incoming();
          const zip = new ZipWriter();
          /** @type {BlobPart[]} */
          const pieces = [];
          const names = manifest.items.map((item) => partName(fromDevice, item));
          for (const [i, item] of manifest.items.entries()) {
            const file = await (await dir.getFileHandle(names[i])).getFile();
            if (file.size !== item.size) throw new Error(`${item.path}: the received file has ${file.size} bytes, not ${item.size}`);
            const crc = /** @type {number} */ (await writer()("crc32", names[i]));
            pieces.push(zip.begin(item.path, item.size, new Date(item.modified || Date.now())), file);
            zip.wrote(item.size);
            pieces.push(zip.end(crc));
          }
          pieces.push(zip.finish());
          handOver(new Blob(pieces, { type: "application/zip" }), zipName(manifest, fromName), names);
        },

        async discardAll() {
          // A zip's verified items from before a reload are on disk though this page never opened them.
          const all = target.kind === "zip" ? manifest.items.map((item) => partName(fromDevice, item)) : [];
          for (const part of new Set([...parts, ...all])) await writer()("remove", part).catch(() => {});
          parts.clear();
        },
      };

    },

    /**
     * Deletes the part files the resume book no longer wants: older than a week, or handed over
     * as downloads by a page that went before its grace period ended.
     */
    async prune(book) {
      for (const part of book.prune()) await writer()("remove", part).catch(() => {});
      for (const { part, dueInMs } of book.handedOverParts(DOWNLOAD_GRACE_MS)) {
        if (dueInMs === 0) await deletePart(part, book);
        else timers.setTimeout(() => void deletePart(part, book), dueInMs);
      }
    },
  };
}

/** Whether received files can go straight into a folder the user picks. */
export function canPickFolder() {
  return typeof (/** @type {any} */ (globalThis).showDirectoryPicker) === "function";
}

/**
 * Asks the user for a folder to receive into (call from a click handler).
 * @returns {Promise<FileSystemDirectoryHandle>}
 */
export function pickFolder() {
  return /** @type {any} */ (globalThis).showDirectoryPicker({ mode: "readwrite", id: "ferry-receive" });
}
