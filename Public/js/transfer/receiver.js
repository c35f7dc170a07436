/**
 * The receiving side of one accepted transfer, over any {@link Channel}.
 *
 * For each item in order it opens a {@link Sink} (a partial file in the origin private file
 * system, a file in a folder the user picked, or memory for a text message), says where it
 * stands (`want {i, offset, prefix}` — the bytes already written and their SHA-256), writes the
 * chunks that follow strictly in order, acknowledges written bytes (`ack`, which is both the
 * sender's window and the resume point) every `ackBytes`, and once its write queue has stayed
 * empty for `ackDelayMs`, and at `end` compares its own SHA-256 of
 * everything written with the sender's (`verified`). A failed comparison starts the item over
 * once; a second failure fails the transfer.
 *
 * A dropped channel leaves the sinks as they are; on the next {@link TransferReceiver#attach} the
 * receiver asks again from the written offset. After a reload the sink factory finds the
 * partial file and reports its size and prefix hash, so the same `want` resumes it.
 *
 * Events: "progress" {done, total}, "item" {i, ok, sha256}, "checkpoint" {i, offset},
 * "state" {state}, "done", "failed" {reason}.
 *
 * @module transfer/receiver
 */

import { Emitter } from "../emitter.js";
import { decodeFrame, encodeControl, listen, peerReason } from "./channel.js";
import { ItemDigest } from "./item-digest.js";

/** @typedef {import("./channel.js").Channel} Channel */
/** @typedef {import("./manifest.js").Manifest} Manifest */
/** @typedef {import("./manifest.js").ManifestItem} ManifestItem */

/**
 * Where one item's bytes go. Writes are appends, applied in the order they are called; a write
 * may be called before the previous one resolved (the receiver does not wait for each write
 * before starting the next, so the disk never idles while a reply travels).
 * @typedef {object} Sink
 * @property {number} offset bytes already written (durable), from earlier runs included
 * @property {() => Promise<string | null>} prefixSha256 hex item digest (transfer/item-digest.js) of the `offset` bytes, null when 0
 * @property {(bytes: Uint8Array) => Promise<void>} write appends; `offset` grows when it resolves; may take
 *   (detach) the whole buffer under `bytes` (a channel message of its own), which the receiver
 *   does not use again
 * @property {() => void} [flush] the bytes written so far are all there are for now: start writing
 *   any it holds back to gather larger writes
 * @property {() => Promise<string>} finish closes the item; resolves with the hex item digest of all of it
 * @property {() => Promise<void>} truncate back to 0 bytes (the prefix did not match)
 * @property {() => Promise<void>} close keeps the partial data for a later resume
 * @property {() => Promise<void>} discard deletes the partial data
 */

/**
 * @typedef {object} SinkFactory
 * @property {(item: ManifestItem) => Promise<Sink>} open
 * @property {() => Promise<void>} [complete] once every item is verified, before the sender is told
 *   `done` (a zip of the items is made here); a failure fails the transfer
 */

/** @typedef {"waiting" | "running" | "interrupted" | "done" | "failed" | "cancelled"} ReceiverState */

export class TransferReceiver extends Emitter {
  /** @type {ReceiverState} */
  state = "waiting";
  /** @type {Channel | null} */
  #channel = null;
  /** @type {Array<() => void>} */
  #detach = [];
  #current = 0;
  /** @type {Sink | null} */
  #sink = null;
  #expected = 0;
  #written = 0;
  #lastAck = 0;
  #lastCheckpoint = 0;
  #pendingWrites = 0;
  #doneBytes = 0;
  #retried = new Set();
  /** @type {Promise<void>} */
  #writing = Promise.resolve();
  #generation = 0;
  #ending = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  #ackTimer = null;

  /**
   * @param {object} options
   * @param {string} options.transferId
   * @param {Manifest} options.manifest a validated manifest
   * @param {SinkFactory} options.sinks
   * @param {number} [options.ackBytes] written bytes per ack while chunks keep coming
   * @param {number} [options.ackDelayMs] how long the write queue stays empty before what is written is acked anyway
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {number} [options.checkpointBytes] how often (in written bytes) "checkpoint" is emitted: the
   *   page records it in localStorage, a synchronous write of the whole resume book, so not per ack
   * @param {number} [options.startAt] the first item to receive (items before it were delivered before a reload)
   */
  constructor({ transferId, manifest, sinks, ackBytes = 2 * 1024 * 1024, ackDelayMs = 100, timers = globalThis, checkpointBytes = 16 * 1024 * 1024, startAt = 0 }) {
    super();
    this.#current = startAt;
    this.#doneBytes = manifest.items.slice(0, startAt).reduce((sum, item) => sum + item.size, 0);
    this.transferId = transferId;
    this.manifest = manifest;
    this.sinks = sinks;
    this.ackBytes = ackBytes;
    this.ackDelayMs = ackDelayMs;
    this.timers = timers;
    this.checkpointBytes = checkpointBytes;
  }

  /** Bytes written, over all items. */
  get received() {
    return this.#doneBytes + this.#written;
  }

  /**
   * Runs on `channel`; when it is open (now or later) asks for the current item.
   * @param {Channel} channel
   */
  attach(channel) {
    if (this.#finished) return;
    this.detach();
    this.#channel = channel;
    const generation = this.#generation;
    /** @param {{ data: ArrayBuffer | Uint8Array }} event */
    const onMessage = (event) => this.#onMessage(channel, event.data);
    const onOpen = () => this.#resume(generation);
    const onClose = () => {
      if (this.#channel === channel) this.detach();
    };
    this.#detach = listen(channel, { message: onMessage, open: onOpen, close: onClose });
    this.#setState("running");
    if (channel.readyState === "open") this.#resume(generation);
  }

  detach() {
    this.#release();
    if (!this.#finished && this.state === "running") {
      this.#setState("interrupted");
      // Checkpoints are sparse while running; an interruption records where the part file
      // stands once the writes in flight are done (a re-offer shows it as already here).
      const current = this.#current;
      void this.#writing
        .then(() => {
          if (this.#current === current && this.#written > this.#lastCheckpoint) {
            this.#lastCheckpoint = this.#written;
            this.emit("checkpoint", { i: current, offset: this.#written });
          }
        })
        .catch(() => {});
    }
  }

  /**
   * Lets go of the current item's partial file for another receiver to continue it (the sender
   * offered the same file again after a reload): stops using the channel, waits for the writes
   * already queued, and closes the sink, keeping its data. Until then the part file could still
   * grow under the new receiver, whose resume point would then be wrong.
   */
  async suspend() {
    this.detach();
    this.#sink?.flush?.();
    await this.#writing.catch(() => {});
    const sink = this.#sink;
    this.#sink = null;
    await sink?.close().catch(() => {});
  }

  #release() {
    this.#generation++;
    if (this.#ackTimer !== null) this.timers.clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    for (const undo of this.#detach) undo();
    this.#detach = [];
    this.#channel = null;
  }

  /** @param {string} [reason] */
  cancel(reason = "cancelled") {
    if (this.#finished) return;
    this.#send({ t: "cancel", reason });
    void this.#end("cancelled", reason);
  }

  get #finished() {
    return this.state === "done" || this.state === "failed" || this.state === "cancelled";
  }

  /** @param {ReceiverState} state */
  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", { state });
  }

  /** @param {Record<string, unknown>} message */
  #send(message) {
    try {
      if (this.#channel?.readyState === "open") this.#channel.send(encodeControl(message));
    } catch {
      // closing; the sender learns from the close
    }
  }

  /**
   * @param {"done" | "failed" | "cancelled"} state
   * @param {string} [reason]
   */
  async #end(state, reason) {
    if (this.#finished) return;
    const channel = this.#channel;
    this.#release();
    this.#setState(state);
    const sink = this.#sink;
    this.#sink = null;
    // Wait for writes in flight, so a discard does not race them.
    sink?.flush?.();
    await this.#writing.catch(() => {});
    if (sink && state === "cancelled") await sink.discard().catch(() => {});
    else if (sink && state === "failed") await sink.close().catch(() => {});
    if (state === "done") this.emit("done");
    else this.emit("failed", { reason: reason ?? state });
    if (state !== "done") channel?.close();
  }

  /** @param {string} reason */
  #fail(reason) {
    this.#send({ t: "failed", reason });
    void this.#end("failed", reason);
  }

  /** Asks for the current item from where this side stands. @param {number} generation */
  async #resume(generation) {
    try {
      this.#sink?.flush?.();
      await this.#writing;
      if (generation !== this.#generation) return;
      if (this.#current >= this.manifest.count) {
        // Every item was verified before (this tab reloaded after the last one): what is left
        // is the sinks' completion, as after the last item.
        await this.#completeAll();
        return;
      }
      const item = this.manifest.items[this.#current];
      if (!this.#sink) {
        this.#sink = await this.sinks.open(item);
        if (generation !== this.#generation) return;
      }
      const sink = this.#sink;
      if (sink.offset > item.size) await sink.truncate();
      const prefix = await sink.prefixSha256();
      if (generation !== this.#generation) return;
      this.#expected = this.#written = this.#lastAck = this.#lastCheckpoint = sink.offset;
      this.#ending = false;
      /** @type {Record<string, unknown>} */
      const want = { t: "want", i: item.i, offset: sink.offset };
      if (prefix !== null) want.prefix = prefix;
      this.#send(want);
      this.emit("progress", { done: this.received, total: this.manifest.totalSize });
    } catch (error) {
      this.#fail(`cannot write: ${error instanceof Error ? error.message : error}`);
    }
  }

  /**
   * @param {Channel} channel
   * @param {ArrayBuffer | Uint8Array} data
   */
  #onMessage(channel, data) {
    if (channel !== this.#channel || this.#finished) return;
    let frame;
    try {
      frame = decodeFrame(data);
    } catch {
      return this.#fail("protocol: unreadable message");
    }
    if (frame.type === "chunk") return this.#onChunk(frame.index, frame.offset, frame.data);
    const m = frame.message;
    switch (m.t) {
      case "end":
        return void this.#onEnd(m);
      case "mismatch":
        if (m.i !== this.#current || !this.#sink) return this.#fail("protocol: mismatch for another item");
        return void this.#restartItem();
      case "cancel":
        return void this.#end("cancelled", peerReason(m.reason, "cancelled by the sender"));
      case "failed":
        return void this.#end("failed", typeof m.reason === "string" ? m.reason.slice(0, 200) : "failed at the sender");
      default:
        return;
    }
  }

  /**
   * @param {number} index
   * @param {number} offset
   * @param {Uint8Array} data
   */
  #onChunk(index, offset, data) {
    const item = this.manifest.items[this.#current];
    const sink = this.#sink;
    if (!sink || this.#ending || index !== this.#current || offset !== this.#expected) {
      return this.#fail(`protocol: chunk ${index}@${offset}, expected ${this.#current}@${this.#expected}`);
    }
    if (offset + data.length > item.size) return this.#fail("protocol: more bytes than offered");
    this.#expected += data.length;
    const generation = this.#generation;
    const length = data.length; // read now: a sink may transfer (detach) the buffer to a worker
    this.#pendingWrites++;
    // The write starts now, not when the previous one is done: the sink applies writes in call
    // order, and waiting for each reply would leave the disk idle for a round trip per chunk.
    // Only the bookkeeping below runs in order. (The sender's window bounds what is queued.)
    const write = sink.write(data);
    write.catch(() => {}); // reported through the chain below
    if (this.#expected === item.size) sink.flush?.(); // the item's last chunk: nothing to wait for
    this.#writing = this.#writing.then(async () => {
      await write;
      if (this.#finished) return;
      this.#pendingWrites--;
      this.#written += length;
      // Every ackBytes; and when everything received is written and nothing more came for
      // ackDelayMs (the sender's window may be smaller than ackBytes, and it must not wait for an
      // ack that would never come). Not whenever the write queue runs empty: on a fast disk that
      // is after every chunk, and each ack is a message back that costs both sides several
      // packets (4 % more packets, measured with tcpdump, on a path whose cost is per packet).
      // Under load, gaps between chunks are common: a quiet ackDelayMs means the stream stopped.
      if (generation !== this.#generation) return;
      if (this.#written - this.#lastAck >= this.ackBytes) this.#ack();
      else if (this.#pendingWrites === 0 && this.#written > this.#lastAck) this.#ackSoon(generation);
      this.emit("progress", { done: this.received, total: this.manifest.totalSize });
    });
    this.#writing.catch((error) => this.#fail(`cannot write: ${error instanceof Error ? error.message : error}`));
  }

  /**
   * Acknowledges what is written once no chunk was written for a whole ackDelayMs (between one
   * and two of them). One timer at a time.
   * @param {number} generation
   */
  #ackSoon(generation) {
    if (this.#ackTimer !== null) return;
    const writtenThen = this.#written;
    this.#ackTimer = this.timers.setTimeout(() => {
      this.#ackTimer = null;
      if (generation !== this.#generation || this.#finished || this.#written <= this.#lastAck) return;
      // Chunks came meanwhile: the stream is still flowing, so wait for a quiet period again.
      if (this.#written !== writtenThen || this.#pendingWrites > 0) this.#ackSoon(generation);
      else this.#ack();
    }, this.ackDelayMs);
  }

  #ack() {
    if (this.#ackTimer !== null) this.timers.clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    this.#lastAck = this.#written;
    this.#send({ t: "ack", i: this.#current, offset: this.#written });
    if (this.#written - this.#lastCheckpoint >= this.checkpointBytes) {
      this.#lastCheckpoint = this.#written;
      this.emit("checkpoint", { i: this.#current, offset: this.#written });
    }
  }

  /** @param {Record<string, any>} m */
  async #onEnd(m) {
    const item = this.manifest.items[this.#current];
    if (m.i !== this.#current || m.size !== item.size || this.#expected !== item.size || typeof m.sha256 !== "string") {
      return this.#fail("protocol: end does not match the item");
    }
    const generation = this.#generation;
    this.#ending = true;
    try {
      this.#sink?.flush?.();
      await this.#writing;
      const sink = /** @type {Sink} */ (this.#sink);
      const sha256 = await sink.finish();
      const ok = sha256 === m.sha256.toLowerCase();
      this.#send({ t: "verified", i: item.i, ok });
      this.emit("item", { i: item.i, ok, sha256 });
      if (!ok) {
        if (this.#retried.has(item.i)) return this.#fail(`${item.path}: the SHA-256 differs twice; not kept`);
        this.#retried.add(item.i);
        await sink.discard();
        this.#sink = null;
        this.#written = 0;
        if (generation === this.#generation) await this.#resume(generation);
        return;
      }
      this.#sink = null;
      this.#doneBytes += item.size;
      this.#written = 0;
      this.#current++;
      if (this.#current === this.manifest.count) {
        await this.#completeAll();
        return;
      }
      if (generation === this.#generation) await this.#resume(generation);
    } catch (error) {
      this.#fail(`cannot finish ${item.path}: ${error instanceof Error ? error.message : error}`);
    }
  }

  /**
   * Every item is verified: the sinks complete (a zip of them is made), and only then is the
   * sender told `done`, so a reload before that finds the transfer unfinished on both sides.
   */
  async #completeAll() {
    try {
      await this.sinks.complete?.();
    } catch (error) {
      return this.#fail(`cannot save the items: ${error instanceof Error ? error.message : error}`);
    }
    this.#send({ t: "done" });
    void this.#end("done");
  }

  async #restartItem() {
    const generation = this.#generation;
    try {
      this.#sink?.flush?.();
      await this.#writing;
      await this.#sink?.truncate();
      if (generation === this.#generation) await this.#resume(generation);
    } catch (error) {
      this.#fail(`cannot write: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/**
 * Sinks in memory (text messages; tests). `store` keeps every item's bytes by index and
 * survives the receiver, so a test can make a second receiver that resumes from it.
 * @template [K=number]
 * @param {Map<K, Uint8Array>} [store]
 * @param {(item: ManifestItem) => K} [keyOf] where an item is kept in `store` (its index by default)
 * @returns {SinkFactory & { store: Map<K, Uint8Array> }}
 */
export function memorySinks(store = new Map(), keyOf = (item) => /** @type {any} */ (item.i)) {
  return {
    store,
    async open(item) {
      const key = keyOf(item);
      let bytes = store.get(key) ?? new Uint8Array(0);
      store.set(key, bytes);
      let hash = new ItemDigest();
      await hash.update(bytes);
      /** @type {Sink} */
      const sink = {
        offset: bytes.length,
        prefixSha256: async () => (sink.offset > 0 ? hash.hex() : null),
        async write(piece) {
          const next = new Uint8Array(bytes.length + piece.length);
          next.set(bytes);
          next.set(piece, bytes.length);
          bytes = next;
          store.set(key, bytes);
          await hash.update(piece);
          sink.offset = bytes.length;
        },
        finish: async () => hash.hex(),
        async truncate() {
          bytes = new Uint8Array(0);
          store.set(key, bytes);
          hash = new ItemDigest();
          sink.offset = 0;
        },
        async close() {},
        async discard() {
          store.delete(key);
        },
      };
      return sink;
    },
  };
}
