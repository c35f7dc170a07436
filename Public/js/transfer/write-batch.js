/**
 * Gathers the appends to one part file (data channel messages of 256 KiB) into buffers of
 * {@link BATCH_BYTES} for the writing worker (transfer/opfs-worker.js), which gives each buffer
 * back once written.
 *
 * Why: handing every message to the worker cost the receiving page a `postMessage` per message
 * (the message's fresh buffer is transferred, and the reply posted back), and the worker a write,
 * a reply and a copy into the item digest's block buffer (messages do not end on digest blocks).
 * Copying messages into a buffer of the page's own that is used again costs less, a batch is one
 * `postMessage` and one write, and batches end on multiples of {@link BATCH_BYTES} in the file, so
 * the digest takes its blocks straight from them (Benchmarks/README.md, "Browser-to-browser
 * transfers").
 *
 * A batch is sent when it is full, on {@link WriteBatch#flush} (the item's last chunk, and before
 * any other request about the part), and when no append came for a whole `quietMs`, so bytes never
 * wait for more that may not come (the sender's window, a stalled channel). An append resolves
 * when the batch holding its last byte is written, with the file's new size.
 *
 * @module transfer/write-batch
 */

/**
 * Bytes per batch, and the file offsets batches end on. 8 MiB since 2026-12-06 (4 MiB before):
 * half the `postMessage`s, writes and worker wake-ups per GiB (docs/TRANSFERS.md, Flow control).
 */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** A batch waits at most this long (to twice as long) after the last append before it is sent. */
export const QUIET_MS = 50;
/** Given-back buffers kept (with the one filling and one being written: 32 MiB at most). */
const MAX_SPARE = 2;

export class WriteBatch {
  /** @type {(bytes: Uint8Array) => Promise<number>} */
  #write;
  #timers;
  #batchBytes;
  #quietMs;
  /** File offset of the next byte appended. */
  #offset;
  /** @type {Uint8Array | null} */
  #buffer = null;
  #length = 0;
  /** Bytes this batch may hold: up to the next multiple of batchBytes in the file. */
  #room = 0;
  /** @type {Array<{ resolve: (size: number) => void, reject: (error: unknown) => void }>} */
  #waiters = [];
  /** @type {ArrayBuffer[]} */
  #spare = [];
  /** @type {any} */
  #timer = null;
  #touched = false;
  /** The last batch sent. @type {Promise<number>} */
  #last;

  /**
   * @param {object} options
   * @param {number} options.offset the part file's size: where appends start
   * @param {(bytes: Uint8Array) => Promise<number>} options.write writes a batch (may transfer its
   *   buffer), resolves with the file's new size; batches are passed in order, one after another
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {number} [options.batchBytes]
   * @param {number} [options.quietMs]
   */
  constructor({ offset, write, timers = globalThis, batchBytes = BATCH_BYTES, quietMs = QUIET_MS }) {
    this.#offset = offset;
    this.#write = write;
    this.#timers = timers;
    this.#batchBytes = batchBytes;
    this.#quietMs = quietMs;
    this.#last = Promise.resolve(offset);
  }

  /**
   * Copies `bytes` into the batch (the caller may reuse them at once).
   * @param {Uint8Array} bytes
   * @returns {Promise<number>} the file's size once the bytes are written
   */
  append(bytes) {
    if (bytes.length === 0) return this.#buffer ? this.#wait() : this.#last;
    /** @type {Promise<number> | null} */
    let written = null;
    for (let done = 0; done < bytes.length; ) {
      if (!this.#buffer) {
        const spare = this.#spare.pop();
        this.#buffer = spare ? new Uint8Array(spare) : new Uint8Array(this.#batchBytes);
        this.#length = 0;
        this.#room = this.#batchBytes - (this.#offset % this.#batchBytes);
      }
      const n = Math.min(bytes.length - done, this.#room - this.#length);
      this.#buffer.set(bytes.subarray(done, done + n), this.#length);
      this.#length += n;
      this.#offset += n;
      done += n;
      if (done === bytes.length) written = this.#wait();
      if (this.#length === this.#room) this.flush();
    }
    if (this.#buffer) {
      this.#touched = true;
      if (this.#timer === null) this.#arm();
    }
    return /** @type {Promise<number>} */ (written);
  }

  /** @returns {Promise<number>} resolved when the current batch is written */
  #wait() {
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #arm() {
    this.#touched = false;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      if (!this.#buffer) return;
      if (this.#touched) this.#arm();
      else this.flush();
    }, this.#quietMs);
  }

  /**
   * Sends what the batch holds now.
   * @returns {Promise<number>} the file's size once everything appended so far is written
   */
  flush() {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    const buffer = this.#buffer;
    if (!buffer) return this.#last;
    const waiters = this.#waiters;
    const bytes = buffer.subarray(0, this.#length);
    this.#buffer = null;
    this.#waiters = [];
    this.#length = 0;
    this.#last = this.#write(bytes);
    this.#last.then(
      (size) => waiters.forEach((w) => w.resolve(size)),
      (error) => waiters.forEach((w) => w.reject(error)),
    );
    return this.#last;
  }

  /**
   * A batch's buffer, back from the worker once written: the next batch goes into it.
   * @param {ArrayBuffer} buffer
   */
  give(buffer) {
    if (buffer.byteLength === this.#batchBytes && this.#spare.length < MAX_SPARE) this.#spare.push(buffer);
  }
}
