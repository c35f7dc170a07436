// A pair of fake data channels for the transfer tests: sends add to bufferedAmount, a "network"
// drains a fixed number of bytes per macrotask and delivers them to the other side, and
// bufferedamountlow fires when the buffer falls to the threshold — as RTCDataChannel does.

export class FakeChannel {
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState = "open";
  /** @type {FakeChannel | null} */
  peer = null;
  queue = [];
  sent = [];
  maxBuffered = 0;
  ticks = 0;
  lowEvents = 0;
  /** bufferedAmount when the "network" takes its turn: what is queued for it */
  tickSamples = [];
  listeners = new Map();
  #scheduled = false;
  #above = false;

  constructor({ maxMessageSize = 64 * 1024, drainPerTick = 256 * 1024 } = {}) {
    this.maxMessageSize = maxMessageSize;
    this.drainPerTick = drainPerTick;
  }

  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }
  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn);
  }
  emit(type, event = {}) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn({ type, ...event });
  }

  send(data) {
    if (this.readyState !== "open") throw new Error("InvalidStateError");
    if (data.length > this.maxMessageSize) throw new TypeError("message too large");
    this.sent.push(data.length);
    this.bufferedAmount += data.length;
    if (this.bufferedAmount > this.bufferedAmountLowThreshold) this.#above = true;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    this.queue.push(data.slice());
    this.#schedule();
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#tick());
  }

  #tick() {
    this.#scheduled = false;
    if (this.readyState !== "open") return;
    this.ticks++;
    this.tickSamples.push(this.bufferedAmount);
    let budget = this.drainPerTick;
    while (this.queue.length > 0 && budget > 0) {
      const message = this.queue.shift();
      budget -= message.length;
      this.bufferedAmount -= message.length;
      this.peer?.emit("message", { data: message.buffer });
    }
    if (this.#above && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
      this.#above = false;
      this.lowEvents++;
      this.emit("bufferedamountlow");
    }
    if (this.queue.length > 0) this.#schedule();
  }

  close() {
    // As RTCDataChannel's closing procedure: what was already sent is still delivered.
    for (const message of this.queue) this.peer?.emit("message", { data: message.buffer });
    this.queue = [];
    for (const side of [this, this.peer]) {
      if (!side || side.readyState === "closed") continue;
      side.readyState = "closed";
      side.queue = [];
      side.bufferedAmount = 0;
      setImmediate(() => side.emit("close"));
    }
  }
}

export function channelPair(options = {}) {
  const a = new FakeChannel(options);
  const b = new FakeChannel(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
