/**
 * Module worker: downloads a drop's files in ranges, has their records opened on a worker of its
 * own (drops/decode-stream.js, drops/open-worker.js) and writes the plaintext straight to disk, so
 * no file is ever whole in memory. Three targets:
 *
 * - `each`: one file of the origin private file system per drop file (sync access handle); the
 *   page then offers each as a download (an object URL of the OPFS file streams from disk);
 * - `zip`: one OPFS file holding a zip of them all (drops/zip.js, STORE, ZIP64 past 4 GiB);
 * - `folder`: files written into a folder the user picked (File System Access API), the drop's
 *   folders kept.
 *
 * A damaged stream deletes what this run wrote for that output: nothing unverified stays where
 * the user looks. Another failure (the network, a reload) keeps what was verified, and the next
 * download of the same drop in the same mode continues: `each` from the file's last whole record,
 * `zip` from the last saved state (the zip's length, its entries, the file and record reached and
 * the running CRC, saved after every 8 MiB flushed), `folder` after the last file it finished.
 * Messages in: `{ op: "download", id, proof, ticket, ikm,
 * files: [{ index, path, salt, size, length }], mode, folder? }`; out: `progress`, `resumed`, `file-done`
 * (each), `zip-done`, `folder-done`, `error` (`damaged` says whether it was damage).
 *
 * @module drops/download-worker
 */

import { createHttp } from "../http.js";
import { writeFully } from "../sync-write.js";
import { Crc32 } from "./crc32.js";
import { decodeStream } from "./decode-stream.js";
import { createDropsApi } from "./drops-api.js";
import { DamagedError } from "./ece.js";
import { createRangeReader } from "./range-reader.js";
import { PLAINTEXT_PER_RECORD, recordCount } from "./sizes.js";
import { ZipWriter } from "./zip.js";

export const OUT_DIRECTORY = "ferry-drops-out";
const FLUSH_BYTES = 8 * 1024 * 1024;
const RANGE_RETRIES = 3;

const api = createDropsApi(createHttp());

/**
 * A sync access handle on an OPFS file, waiting (up to about 5 s) while another one is open: after
 * a reload, the worker of the page before may still be shutting down with its handles on the same
 * outputs (it has an opening worker of its own to stop too).
 * @param {FileSystemDirectoryHandle} root @param {string} name
 */
async function syncHandle(root, name) {
  const file = await root.getFileHandle(name, { create: true });
  for (let attempt = 0; ; attempt++) {
    try {
      return await file.createSyncAccessHandle();
    } catch (error) {
      if (/** @type {any} */ (error)?.name !== "NoModificationAllowedError" || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Writing, closing and discarding an OPFS file through its sync access handle, from `at`; the
 * one body of both OPFS outputs below.
 * @param {FileSystemDirectoryHandle} root @param {string} name
 * @param {FileSystemSyncAccessHandle} handle @param {number} at
 */
function syncHandleSink(root, name, handle, at) {
  let unflushed = 0;
  return {
    name,
    /** The bytes so far, on disk: what a saved resume state may count on. */
    flush() {
      handle.flush();
      unflushed = 0;
    },
    /** @param {Uint8Array} bytes */
    write(bytes) {
      writeFully(handle, bytes, at);
      at += bytes.length;
      unflushed += bytes.length;
      if (unflushed >= FLUSH_BYTES) {
        handle.flush();
        unflushed = 0;
      }
    },
    async close() {
      handle.flush();
      handle.close();
    },
    /** Damage (or a plain output given up): nothing of it may stay. */
    async discard() {
      try {
        handle.close();
      } catch {
        // already closed
      }
      await root.removeEntry(name).catch(() => {});
    },
  };
}

/**
 * A resumable OPFS output for one drop file: named after the drop, the file's index and salt, so
 * a reload finds it again. It keeps whole records only (every one was verified before it was
 * written), and the last record is always fetched again, so its end-of-stream mark is checked.
 * @param {string} id @param {{ index: number, salt: Uint8Array, size: number }} file
 */
async function partSink(id, file) {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
  const label = new TextEncoder().encode(`${id}\n${file.index}\n${[...file.salt].join(",")}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", label));
  const name = [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("") + ".part";
  const handle = await syncHandle(root, name);
  const fromRecord = Math.min(Math.floor(handle.getSize() / PLAINTEXT_PER_RECORD), recordCount(file.size) - 1);
  const at = fromRecord * PLAINTEXT_PER_RECORD;
  handle.truncate(at);
  return {
    ...syncHandleSink(root, name, handle, at),
    fromRecord,
    /** Anything else (the network, the ticket): the verified prefix stays for a resume. */
    async keep() {
      try {
        handle.flush();
        handle.close();
      } catch {
        // already closed
      }
    },
  };
}

/** A hex name for an output, from what identifies it. @param {string} label */
async function outputName(label) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(label)));
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A small JSON state beside an output, in the OPFS, written through a sync access handle. A
 * state cut short by a crash does not parse, and its output starts over.
 * @param {FileSystemDirectoryHandle} root @param {string} name
 */
async function stateFile(root, name) {
  const handle = await syncHandle(root, name);
  return {
    /** @returns {any} the saved state, or null */
    read() {
      const bytes = new Uint8Array(handle.getSize());
      handle.read(bytes, { at: 0 });
      try {
        return bytes.length ? JSON.parse(new TextDecoder().decode(bytes)) : null;
      } catch {
        return null;
      }
    },
    /** @param {any} state */
    save(state) {
      const bytes = new TextEncoder().encode(JSON.stringify(state));
      handle.write(bytes, { at: 0 });
      handle.truncate(bytes.length);
      handle.flush();
    },
    close() {
      try {
        handle.close();
      } catch {
        // already closed
      }
    },
    async remove() {
      this.close();
      await root.removeEntry(name).catch(() => {});
    },
  };
}

/**
 * The resumable zip of a whole drop: an OPFS file named after the drop and its files, with a
 * state file beside it. `resume` is the saved state when it adds up with the zip on disk (the zip
 * is then cut back to the saved length), or null to start over.
 * @param {string} id @param {any[]} files
 */
async function zipOutput(id, files) {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
  const base = await outputName(`${id}\nzip\n${files.map((file) => `${file.index}:${[...file.salt].join(",")}`).join("\n")}`);
  const handle = await syncHandle(root, `${base}.zip`);
  const state = await stateFile(root, `${base}.zip-state`);
  let resume = null;
  try {
    const saved = state.read();
    if (saved) {
      const zip = ZipWriter.restore(saved.zip);
      const file = files[saved.position];
      const crc = new Crc32(saved.crc);
      if (!file || !Number.isSafeInteger(saved.record) || saved.record < 1 || saved.record >= recordCount(file.size)) throw new TypeError("no such record");
      const open = saved.zip.entries.at(-1);
      if (saved.zip.entries.length !== saved.position + 1 || open.ended || open.written !== saved.record * PLAINTEXT_PER_RECORD) throw new TypeError("the state does not add up");
      if (zip.offset > handle.getSize()) throw new TypeError("the zip is shorter than its state");
      resume = { zip, crc, position: saved.position, fromRecord: saved.record };
    }
  } catch {
    resume = null;
  }
  const at = resume ? resume.zip.offset : 0;
  handle.truncate(at);
  const zipFile = syncHandleSink(root, `${base}.zip`, handle, at);
  return {
    resume,
    sink: {
      ...zipFile,
      async close() {
        await zipFile.close();
        await state.remove();
      },
      async discard() {
        await zipFile.discard();
        await state.remove();
      },
      async keep() {
        try {
          handle.flush();
          handle.close();
        } catch {
          // already closed
        }
        state.close();
      },
    },
    /** Flushes the zip, then saves where it stands. @param {any} where */
    save(where) {
      zipFile.flush();
      state.save(where);
    },
  };
}

/**
 * Which files of a drop a folder download finished, and under which path (a name already taken
 * in the folder gets another), kept in the OPFS so that the same drop saved into the same folder
 * again skips them (when the file there still has its size).
 * @param {string} id @param {any[]} files
 */
async function folderProgress(id, files) {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
  const base = await outputName(`${id}\nfolder\n${files.map((file) => `${file.index}:${[...file.salt].join(",")}`).join("\n")}`);
  const state = await stateFile(root, `${base}.folder-state`);
  const saved = state.read();
  /** @type {Map<number, string>} index → the path it was saved under */
  const done = new Map();
  for (const entry of Array.isArray(saved?.done) ? saved.done : []) {
    if (Array.isArray(entry) && Number.isSafeInteger(entry[0]) && typeof entry[1] === "string") done.set(entry[0], entry[1]);
    // A state kept before files were renamed around names already taken: the drop's own path.
    const file = Number.isSafeInteger(entry) ? files.find((f) => f.index === entry) : undefined;
    if (file) done.set(file.index, file.path);
  }
  /** The file being written when the download stopped: made by it, so written over when continued. */
  let started = Array.isArray(saved?.started) && Number.isSafeInteger(saved.started[0]) && typeof saved.started[1] === "string" ? saved.started : null;
  const save = () => state.save({ done: [...done], ...(started ? { started } : {}) });
  return {
    state,
    /** @param {FileSystemDirectoryHandle} folder @param {any} file @returns {Promise<string | null>} where it is, if finished */
    async finished(folder, file) {
      const path = done.get(file.index);
      if (path === undefined) return null;
      try {
        const segments = path.split("/");
        const name = /** @type {string} */ (segments.pop());
        let dir = folder;
        for (const segment of segments) dir = await dir.getDirectoryHandle(segment);
        return (await (await dir.getFileHandle(name)).getFile()).size === file.size ? path : null;
      } catch {
        return null;
      }
    },
    /** Where this download began writing a file it did not finish, if it did. @param {number} index */
    startedAt(index) {
      return started && started[0] === index ? started[1] : null;
    },
    /** Says, before writing, which file this download makes. @param {number} index @param {string} path */
    start(index, path) {
      started = [index, path];
      save();
    },
    /** @param {number} index @param {string} path */
    add(index, path) {
      done.set(index, path);
      started = null;
      save();
    },
  };
}

/**
 * A name in `dir` that no file or folder has yet: `name`, else "name (2).ext", "name (3).ext"…
 * A file of the user's that is already there is never written over.
 * @param {FileSystemDirectoryHandle} dir @param {string} name
 */
async function freeName(dir, name) {
  const taken = async (/** @type {string} */ candidate) =>
    (await dir.getFileHandle(candidate).then(() => true, () => false)) ||
    (await dir.getDirectoryHandle(candidate).then(() => true, () => false));
  if (!(await taken(name))) return name;
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!(await taken(candidate))) return candidate;
  }
}

/**
 * A new file in a picked folder, through a writable stream (written to a swap file until closed).
 * @param {FileSystemDirectoryHandle} folder
 * @param {string} path the drop's path of the file
 * @param {string | null} own where an earlier, stopped run of this download began writing it (its
 *   own file, written over), else null
 */
async function folderSink(folder, path, own) {
  const segments = path.split("/");
  let dir = folder;
  for (const segment of segments.slice(0, -1)) dir = await dir.getDirectoryHandle(segment, { create: true });
  // A stopped run's file is written over only while it is still empty, as a writable stopped before
  // `close` leaves it: the record is per drop, not per folder, and another folder (or the user
  // meanwhile) may hold a file of that name with something in it.
  const ownName = own?.split("/").at(-1);
  const sameDir = own !== null && own.split("/").slice(0, -1).join("/") === segments.slice(0, -1).join("/");
  const ownEmpty =
    sameDir && ownName !== undefined
      ? await dir.getFileHandle(ownName).then(async (handle) => (await handle.getFile()).size === 0, () => false)
      : false;
  const name = ownEmpty && ownName !== undefined ? ownName : await freeName(dir, /** @type {string} */ (segments.at(-1)));
  const file = await dir.getFileHandle(name, { create: true });
  const writable = await file.createWritable();
  return {
    name: [...segments.slice(0, -1), name].join("/"),
    write: (/** @type {Uint8Array} */ bytes) => writable.write(bytes),
    close: () => writable.close(),
    async discard() {
      await writable.abort().catch(() => {});
      await dir.removeEntry(name).catch(() => {}); // made for this download, never the user's
    },
  };
}

/**
 * One range of a file's stream, through its range reader (answers of up to 64 MiB, read as
 * consecutive ranges), retried a few times when the network drops, before an answer or during
 * one (a new request from the range's start; a ticket is not counted again).
 * @param {import("./range-reader.js").RangeReader} ranges @param {number} start @param {number} end
 * @param {ArrayBuffer | null} [into]
 */
async function fetchRange(ranges, start, end, into) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ranges.read(start, end, into);
    } catch (error) {
      if (/** @type {any} */ (error)?.status !== 0 || attempt >= RANGE_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    }
  }
}

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.op !== "download") return;
  const total = message.files.reduce((sum, file) => sum + file.size, 0);
  let before = 0;
  /** @type {{ discard: () => Promise<void> } | null} */
  let current = null;
  const progress = (done) => self.postMessage({ type: "progress", done: before + done, total });
  /** @param {any} file @param {(bytes: Uint8Array) => unknown} write @param {number} [fromRecord] */
  const decode = async (file, write, fromRecord = 0) => {
    const ranges = createRangeReader({
      request: (start, end) => api.rangeAnswer(message.id, file.index, message.proof, message.ticket, start, end),
      length: file.length,
    });
    try {
      await decodeStream({
        fromRecord,
        fetchRange: (start, end, into) => fetchRange(ranges, start, end, into),
        length: file.length,
        size: file.size,
        salt: file.salt,
        ikm: message.ikm,
        write: /** @type {any} */ (write),
        onProgress: progress,
      });
    } finally {
      ranges.close();
    }
  };
  try {
    if (message.mode === "zip") {
      const output = await zipOutput(message.id, message.files);
      const { sink, resume } = output;
      current = sink;
      const zip = resume ? resume.zip : new ZipWriter();
      const first = resume ? resume.position : 0;
      for (const file of message.files.slice(0, first)) before += file.size;
      if (resume) self.postMessage({ type: "resumed", bytes: before + resume.fromRecord * PLAINTEXT_PER_RECORD });
      for (const [position, file] of message.files.entries()) {
        if (position < first) continue;
        const continuing = resume && position === first;
        const fromRecord = continuing ? resume.fromRecord : 0;
        const crc = continuing ? resume.crc : new Crc32();
        if (!continuing) sink.write(zip.begin(file.path, file.size));
        let inFile = fromRecord * PLAINTEXT_PER_RECORD;
        let unsaved = 0;
        await decode(
          file,
          (bytes) => {
            crc.update(bytes);
            sink.write(bytes);
            zip.wrote(bytes.length);
            inFile += bytes.length;
            unsaved += bytes.length;
            // Whole records only (decodeStream writes whole records), and never the last one:
            // a resume fetches that again, so its end-of-stream mark is checked.
            if (unsaved >= FLUSH_BYTES && inFile < file.size) {
              output.save({ position, record: inFile / PLAINTEXT_PER_RECORD, crc: crc.state, zip: zip.snapshot() });
              unsaved = 0;
            }
          },
          fromRecord,
        );
        sink.write(zip.end(crc.value));
        before += file.size;
      }
      sink.write(zip.finish());
      await sink.close();
      self.postMessage({ type: "zip-done", name: sink.name });
      return;
    }
    const folderDone = message.mode === "folder" ? await folderProgress(message.id, message.files) : null;
    for (const file of message.files) {
      const finishedAt = folderDone ? await folderDone.finished(message.folder, file) : null;
      if (finishedAt !== null) {
        self.postMessage({ type: "resumed", index: file.index, bytes: file.size });
        before += file.size;
        self.postMessage({ type: "file-done", index: file.index, path: file.path, name: finishedAt });
        continue;
      }
      const sink = folderDone
        ? await folderSink(message.folder, file.path, folderDone.startedAt(file.index))
        : await partSink(message.id, file);
      folderDone?.start(file.index, sink.name);
      current = sink;
      const fromRecord = "fromRecord" in sink ? sink.fromRecord : 0;
      if (fromRecord > 0) self.postMessage({ type: "resumed", index: file.index, bytes: fromRecord * PLAINTEXT_PER_RECORD });
      await decode(file, (bytes) => sink.write(bytes), fromRecord);
      await sink.close();
      current = null;
      before += file.size;
      folderDone?.add(file.index, sink.name);
      self.postMessage({ type: "file-done", index: file.index, path: file.path, name: sink.name });
    }
    await folderDone?.state.remove();
    self.postMessage({ type: "all-done" });
  } catch (error) {
    if (error instanceof DamagedError || !current || !("keep" in current)) await current?.discard();
    else await /** @type {any} */ (current).keep();
    const failure = /** @type {any} */ (error);
    self.postMessage({
      type: "error",
      damaged: error instanceof DamagedError,
      message: failure?.detail || failure?.message || String(error),
      slug: failure?.slug ?? "",
    });
  }
});
