/**
 * Writes received items into the origin private file system with synchronous access handles
 * (only available in a worker: transfer/opfs-worker.js), computing the item digest
 * (transfer/item-digest.js) of what it writes. Part files live
 * in the directory "ferry-incoming", named by transfer/resume.js's `partName`, so an interrupted
 * item is found again after a reload and its bytes re-hashed to continue.
 *
 * Handles are flushed every {@link FLUSH_BYTES} and at finish and close, so what was acknowledged
 * to the sender is on disk within that bound.
 *
 * The directory handle is injected (a fake in tests). Requests for one part are made one after
 * another by the receiver; different parts are independent.
 *
 * @module transfer/opfs-writer
 */

import { Crc32 } from "../drops/crc32.js";
import { writeFully } from "../sync-write.js";
import { ItemDigest } from "./item-digest.js";

export const INCOMING_DIRECTORY = "ferry-incoming";
export const FLUSH_BYTES = 4 * 1024 * 1024;
const REHASH_BYTES = 1024 * 1024;

/**
 * @typedef {object} SyncHandle the part of FileSystemSyncAccessHandle used here
 * @property {() => number} getSize
 * @property {(buffer: Uint8Array, options: { at: number }) => number} read
 * @property {(buffer: Uint8Array, options: { at: number }) => number} write
 * @property {(size: number) => void} truncate
 * @property {() => void} flush
 * @property {() => void} close
 */

/**
 * @param {{ getFileHandle: (name: string, options?: { create?: boolean }) => Promise<{ createSyncAccessHandle: () => Promise<SyncHandle> }>, removeEntry: (name: string) => Promise<void> }} directory
 */
/**
 * Reads a whole part file in blocks of {@link REHASH_BYTES}, each into a new buffer (a digest may
 * still be reading the one before), handing each to `use` in order.
 * @param {SyncHandle} handle
 * @param {(block: Uint8Array) => Promise<void> | void} use
 * @returns {Promise<number>} the file's size
 */
async function eachBlock(handle, use) {
  const size = handle.getSize();
  for (let at = 0; at < size; ) {
    const buffer = new Uint8Array(Math.min(REHASH_BYTES, size - at));
    const n = handle.read(buffer, { at });
    if (n <= 0) throw new Error("could not read the part file");
    await use(buffer.subarray(0, n));
    at += n;
  }
  return size;
}

export function createOpfsWriter(directory) {
  /** @type {Map<string, { handle: SyncHandle, hash: ItemDigest, offset: number, unflushed: number }>} */
  const open = new Map();
  const NAME = /^[0-9a-f]{32}\.part$/;

  /** @param {string} part */
  const get = (part) => {
    const entry = open.get(part);
    if (!entry) throw new Error(`part ${part} is not open`);
    return entry;
  };

  return {
    /**
     * Opens (or creates) a part file; re-hashes what it already holds.
     * @param {string} part
     * @returns {Promise<{ offset: number, prefixSha256: string | null }>}
     */
    async open(part) {
      if (!NAME.test(part)) throw new Error("bad part name");
      let entry = open.get(part);
      if (!entry) {
        const file = await directory.getFileHandle(part, { create: true });
        const handle = await file.createSyncAccessHandle();
        const hash = new ItemDigest();
        const size = await eachBlock(handle, (block) => hash.update(block));
        entry = { handle, hash, offset: size, unflushed: 0 };
        open.set(part, entry);
      }
      return { offset: entry.offset, prefixSha256: entry.offset > 0 ? await entry.hash.hex() : null };
    },

    /** @param {string} part @returns {Promise<string | null>} */
    async prefix(part) {
      const entry = get(part);
      return entry.offset > 0 ? entry.hash.hex() : null;
    },

    /**
     * @param {string} part
     * @param {Uint8Array} bytes
     * @returns {Promise<number>} the new size
     */
    async write(part, bytes) {
      const entry = get(part);
      writeFully(entry.handle, bytes, entry.offset);
      entry.offset += bytes.length;
      entry.unflushed += bytes.length;
      if (entry.unflushed >= FLUSH_BYTES) {
        entry.handle.flush();
        entry.unflushed = 0;
      }
      // After the write: the disk and WebCrypto's threads work at the same time.
      await entry.hash.update(bytes);
      return entry.offset;
    },

    /** @param {string} part @returns {Promise<string>} the item digest of the whole part */
    async finish(part) {
      const entry = get(part);
      entry.handle.flush();
      entry.handle.close();
      open.delete(part);
      return entry.hash.hex();
    },

    /** @param {string} part */
    truncate(part) {
      const entry = get(part);
      entry.handle.truncate(0);
      entry.handle.flush();
      entry.hash = new ItemDigest();
      entry.offset = 0;
      entry.unflushed = 0;
    },

    /** Keeps the part for a later resume. @param {string} part */
    close(part) {
      const entry = open.get(part);
      if (!entry) return;
      entry.handle.flush();
      entry.handle.close();
      open.delete(part);
    },

    /**
     * The CRC-32 of a finished part, read back from disk (for a zip of received files).
     * @param {string} part
     * @returns {Promise<number>}
     */
    async crc32(part) {
      if (!NAME.test(part)) throw new Error("bad part name");
      if (open.has(part)) throw new Error(`part ${part} is still being written`);
      const handle = await (await directory.getFileHandle(part)).createSyncAccessHandle();
      try {
        const crc = new Crc32();
        await eachBlock(handle, (block) => void crc.update(block));
        return crc.value;
      } finally {
        handle.close();
      }
    },

    /** Closes (if open) and deletes a part. @param {string} part */
    async remove(part) {
      if (!NAME.test(part)) throw new Error("bad part name");
      const entry = open.get(part);
      if (entry) {
        entry.handle.close();
        open.delete(part);
      }
      await directory.removeEntry(part).catch(() => {});
    },
  };
}
