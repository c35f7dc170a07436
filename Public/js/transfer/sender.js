/**
 * The sending side of one transfer to one peer, over any {@link Channel} (direct or relayed).
 *
 * The receiver drives: it asks for an item from an offset (`want`), the sender streams chunks
 * and ends the item with its SHA-256 (`end`), the receiver answers `verified`. That one rule
 * covers a first start, a dropped channel and a reload on either side: whoever comes back, the
 * receiver says where it stands, and the sender checks the receiver's prefix hash against its own
 * file before continuing from there (`mismatch` otherwise, and the item starts over).
 *
 * Flow control has two limits, neither of them stop-and-wait:
 * - the channel's `bufferedAmount`: messages are sent back to back while it is at most
 *   `highWater`; above it the sender waits for `bufferedamountlow`, which the channel fires at
 *   `lowWater` (set as `bufferedAmountLowThreshold`), so the buffer never runs dry while the
 *   sender waits;
 * - the receiver's disk: at most `window` bytes may be sent beyond the receiver's last `ack`
 *   (written bytes), so a slow disk holds the sender back instead of filling the receiver's
 *   memory.
 * Reading (and hashing) runs ahead in blocks of `readBytes` through the {@link Source}, which in
 * the browser is a worker; so both tabs' memory stays at a few MiB whatever the file size.
 *
 * Events (via `on`): "progress" {done, total}, "item" {i, ok}, "state" {state}, "done", "failed" {reason}.
 *
 * @module transfer/sender
 */

import { Emitter } from "../emitter.js";
import { CHUNK_HEADER_BYTES, chunkPayloadSize, decodeFrame, encodeChunk, encodeControl, listen, peerReason } from "./channel.js";
import { ItemDigest } from "./item-digest.js";

/** @typedef {import("./channel.js").Channel} Channel */
/** @typedef {import("./manifest.js").Manifest} Manifest */

/**
 * Reads one item from an offset, hashing everything from byte 0 (the item digest,
 * transfer/item-digest.js).
 * @typedef {object} Reader
 * @property {string | null} prefixSha256 hex item digest of bytes [0, offset), null when offset is 0
 * @property {(maxBytes: number) => Promise<Uint8Array | null>} read the next bytes; null at the end
 * @property {() => Promise<string>} sha256 hex item digest of the whole item, after `read` returned null
 * @property {(block: Uint8Array) => void} [release] the bytes of a block `read` returned are sent and
 *   not used again: its memory may be read into again
 * @property {() => void} close
 */

/**
 * @typedef {object} Source
 * @property {(index: number, offset: number) => Promise<Reader>} open
 */

export const DEFAULTS = {
  lowWater: 1024 * 1024,
  highWater: 4 * 1024 * 1024,
  // Above what the receiver may hold unwritten (a write batch filling and one being written,
  // 8 MiB each: transfer/write-batch.js) plus the channel's buffer, so acks keep it open.
  window: 32 * 1024 * 1024,
  // Each read of a File costs the browser process a fixed amount besides its bytes (slices: 1 MiB
  // reads 2.7 CPU s per GiB sent, 4 MiB 1.5 s, 8 MiB 1.2 s), and on two cores every wake-up of the
  // app's threads beside the data channel makes the channel cost more (docs/TRANSFERS.md, Flow control).
  readBytes: 8 * 1024 * 1024,
};

/**
 * @typedef {"waiting" | "running" | "interrupted" | "done" | "failed" | "cancelled"} SenderState
 */

export class TransferSender extends Emitter {
  /** @type {SenderState} */
  state = "waiting";
  /** @type {Channel | null} */
  #channel = null;
  /** @type {Array<() => void>} */
  #detach = [];
  #generation = 0;
  /** @type {Reader | null} */
  #reader = null;
  #current = -1;
  #sent = 0;
  #acked = 0;
  /** @type {(() => void) | null} */
  #wake = null;
  #doneBytes = 0;
  /** @type {Set<number>} */
  #verified = new Set();

  /**
   * @param {object} options
   * @param {string} options.transferId
   * @param {Manifest} options.manifest
   * @param {Source} options.source
   * @param {Partial<typeof DEFAULTS>} [options.limits]
   */
  constructor({ transferId, manifest, source, limits = {} }) {
    super();
    this.transferId = transferId;
    this.manifest = manifest;
    this.source = source;
    this.limits = { ...DEFAULTS, ...limits };
  }

  /** Bytes the receiver confirmed written, over all items. */
  get confirmed() {
    return this.#doneBytes + (this.#current >= 0 && !this.#verified.has(this.#current) ? this.#acked : 0);
  }

  /**
   * Runs the transfer on `channel` (open or about to open). A previous channel is detached.
   * @param {Channel} channel
   */
  attach(channel) {
    if (this.#finished) return;
    this.detach();
    this.#channel = channel;
    channel.bufferedAmountLowThreshold = this.limits.lowWater;
    /** @param {{ data: ArrayBuffer | Uint8Array }} event */
    const onMessage = (event) => this.#onMessage(channel, event.data);
    const onLow = () => this.#poke();
    const onClose = () => {
      if (this.#channel === channel) this.detach();
    };
    this.#detach = listen(channel, { message: onMessage, bufferedamountlow: onLow, close: onClose });
    this.#setState("running");
  }

  /** Stops using the current channel; the transfer waits for the next {@link attach}. */
  detach() {
    this.#release();
    if (!this.#finished && this.state === "running") this.#setState("interrupted");
  }

  #release() {
    this.#generation++;
    for (const undo of this.#detach) undo();
    this.#detach = [];
    this.#channel = null;
    this.#reader?.close();
    this.#reader = null;
    this.#poke();
  }

  /** @param {string} [reason] */
  cancel(reason = "cancelled") {
    if (this.#finished) return;
    this.#sendControl({ t: "cancel", reason });
    this.#end("cancelled", reason);
  }

  get #finished() {
    return this.state === "done" || this.state === "failed" || this.state === "cancelled";
  }

  /** @param {SenderState} state */
  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", { state });
  }

  /**
   * @param {"done" | "failed" | "cancelled"} state
   * @param {string} [reason]
   */
  #end(state, reason) {
    if (this.#finished) return;
    const channel = this.#channel;
    this.#release();
    this.#setState(state);
    if (state === "done") this.emit("done");
    else this.emit("failed", { reason: reason ?? state });
    channel?.close();
  }

  /** @param {Record<string, unknown>} message */
  #sendControl(message) {
    try {
      if (this.#channel?.readyState === "open") this.#channel.send(encodeControl(message));
    } catch {
      // a closing channel; the receiver learns from the close
    }
  }

  #poke() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /**
   * @param {Channel} channel
   * @param {ArrayBuffer | Uint8Array} data
   */
  #onMessage(channel, data) {
    if (channel !== this.#channel) return;
    let frame;
    try {
      frame = decodeFrame(data);
    } catch {
      return this.#fail("protocol: unreadable message");
    }
    if (frame.type !== "control") return this.#fail("protocol: the receiver sent data");
    const m = frame.message;
    switch (m.t) {
      case "want":
        return void this.#startItem(m);
      case "ack":
        if (m.i === this.#current && Number.isSafeInteger(m.offset) && m.offset > this.#acked && m.offset <= this.#sent) {
          this.#acked = m.offset;
          this.emit("progress", { done: this.confirmed, total: this.manifest.totalSize });
          this.#poke();
        }
        return;
      case "verified":
        if (m.i === this.#current && m.ok === true && !this.#verified.has(m.i)) {
          this.#verified.add(m.i);
          this.#doneBytes += this.manifest.items[m.i].size;
          this.emit("item", { i: m.i, ok: true });
          this.emit("progress", { done: this.confirmed, total: this.manifest.totalSize });
        } else if (m.i === this.#current && m.ok === false) {
          this.emit("item", { i: m.i, ok: false });
        }
        return;
      case "done":
        if (this.#verified.size === this.manifest.count) this.#end("done");
        else this.#fail("protocol: done before every item was verified");
        return;
      case "cancel":
        return this.#end("cancelled", peerReason(m.reason, "cancelled by the receiver"));
      case "failed":
        return this.#end("failed", typeof m.reason === "string" ? m.reason.slice(0, 200) : "failed at the receiver");
      default:
        return; // unknown control messages are ignored, so later versions can add some
    }
  }

  /** @param {string} reason */
  #fail(reason) {
    this.#sendControl({ t: "failed", reason });
    this.#end("failed", reason);
  }

  /** @param {Record<string, any>} m */
  async #startItem(m) {
    const item = this.manifest.items[m.i];
    if (!item || !Number.isSafeInteger(m.offset) || m.offset < 0 || m.offset > item.size) {
      return this.#fail("protocol: want out of range");
    }
    // A want for item i says every item before it is verified and kept: a `verified` lost with a
    // dropped channel costs nothing, and a receiver that lost track starts where it stands.
    this.#verified = new Set(this.manifest.items.slice(0, m.i).map((it) => it.i));
    this.#doneBytes = this.manifest.items.slice(0, m.i).reduce((sum, it) => sum + it.size, 0);
    const generation = ++this.#generation;
    this.#reader?.close();
    this.#reader = null;
    this.#poke();
    let reader;
    try {
      reader = await this.source.open(m.i, m.offset);
    } catch (error) {
      if (generation === this.#generation) this.#fail(`cannot read ${item.path}: ${error instanceof Error ? error.message : error}`);
      return;
    }
    if (generation !== this.#generation) return reader.close();
    if (m.offset > 0 && reader.prefixSha256 !== m.prefix) {
      reader.close();
      this.#sendControl({ t: "mismatch", i: m.i });
      return;
    }
    this.#reader = reader;
    this.#current = m.i;
    this.#sent = m.offset;
    this.#acked = m.offset;
    try {
      await this.#pump(generation, m.i, reader);
    } catch (error) {
      if (generation === this.#generation) this.#fail(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Streams item `index` until its end or until the generation changes.
   * @param {number} generation
   * @param {number} index
   * @param {Reader} reader
   */
  async #pump(generation, index, reader) {
    const channel = /** @type {Channel} */ (this.#channel);
    const payload = chunkPayloadSize(channel);
    const { highWater, window, readBytes } = this.limits;
    const size = this.manifest.items[index].size;
    const live = () => generation === this.#generation;
    // One message buffer for the whole item: `send` copies (Channel), and reusing memory that is
    // already mapped saves a fresh 256 KiB allocation and its page faults per message.
    const frame = new Uint8Array(CHUNK_HEADER_BYTES + payload);
    while (live()) {
      const room = window - (this.#sent - this.#acked);
      if (room <= 0) {
        await this.#sleep(() => this.#sent - this.#acked < window);
        continue;
      }
      const block = await reader.read(Math.min(readBytes, room));
      if (!live()) return;
      if (block === null) {
        if (this.#sent !== size) throw new Error(`${this.manifest.items[index].path} changed size while it was sent`);
        const sha256 = await reader.sha256();
        if (!live()) return;
        this.#sendControl({ t: "end", i: index, size, sha256 });
        return;
      }
      if (this.#sent + block.length > size) throw new Error(`${this.manifest.items[index].path} grew while it was sent`);
      for (let offset = 0; offset < block.length; ) {
        if (channel.bufferedAmount > highWater) {
          await this.#sleep(() => channel.bufferedAmount <= this.limits.lowWater);
          if (!live()) return;
          continue;
        }
        const piece = block.subarray(offset, offset + payload);
        channel.send(encodeChunk(index, this.#sent, piece, frame));
        this.#sent += piece.length;
        offset += piece.length;
      }
      reader.release?.(block); // every byte was copied into a message (`send` copies)
    }
  }

  /**
   * Waits until woken (bufferedamountlow, an ack, a detach) or `ready()` already holds.
   * @param {() => boolean} ready
   */
  #sleep(ready) {
    return new Promise((resolve) => {
      if (ready()) return resolve(undefined);
      this.#wake = () => resolve(undefined);
    });
  }
}

/**
 * A {@link Source} over in-memory items (text messages, tests).
 * @param {Uint8Array[]} items
 * @returns {Source}
 */
export function memorySource(items) {
  return {
    async open(index, offset) {
      const bytes = items[index];
      const hash = new ItemDigest();
      await hash.update(bytes.subarray(0, offset));
      const prefixSha256 = offset > 0 ? await hash.hex() : null;
      let position = offset;
      return {
        prefixSha256,
        async read(maxBytes) {
          if (position >= bytes.length) return null;
          const piece = bytes.subarray(position, position + maxBytes);
          position += piece.length;
          await hash.update(piece);
          return piece;
        },
        async sha256() {
          return hash.hex();
        },
        close() {},
      };
    },
  };
}
