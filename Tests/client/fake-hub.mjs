// A fake signalling server for the peer-client tests: what docs/SIGNALLING.md says the server
// does (hello/welcome, presence, forwarding `signal` with a stamped `from`, relays with 8-byte
// ids), in memory, with hooks to tamper as a malicious server would.
import { relayIdFromBytes } from "../../Public/js/relay/frames.js";

let counter = 0;
const peerId = () => `p_${String(++counter).padStart(22, "0")}`;
const later = (fn) => setImmediate(fn);

export class Hub {
  devices = new Map();
  sockets = new Set();
  relays = new Map();
  /** (from, to, message) => message | null: a malicious server's chance to change or drop a signal */
  tamperSignal = null;
  /** (peer) => peer: a malicious server's chance to list another key */
  tamperPeer = null;
  relayFrames = 0;
  relayBytes = 0;
  /** called with (relayId, count) for each frame; return true to cut the relay */
  cutRelay = null;
  /** "refused": the server no longer admits anyone (401, handshakes refused); "down": unreachable */
  outage = null;

  api(user) {
    return {
      request: async (method, path, options = {}) => {
        if (method === "PUT" && path.startsWith("/devices/")) {
          const id = decodeURIComponent(path.slice("/devices/".length));
          const known = this.devices.get(id);
          if (known && known.publicKey !== options.body.publicKey) throw Object.assign(new Error("device-key-changed"), { status: 409 });
          this.devices.set(id, { ...options.body, user });
          return { id, name: options.body.name };
        }
        if (this.outage === "down") throw new TypeError("fetch failed");
        if (this.outage === "refused") throw Object.assign(new Error("unauthenticated"), { status: 401 });
        if (method === "GET" && path === "/ice") return { iceServers: [], expiresAt: new Date(Date.now() + 3600_000).toISOString() };
        throw new Error(`unexpected ${method} ${path}`);
      },
    };
  }

  peerOf(socket) {
    const device = this.devices.get(socket.device);
    const peer = { id: socket.peerId, device: { id: socket.device, name: device.name, publicKey: device.publicKey }, user: device.user, guest: false };
    return this.tamperPeer ? this.tamperPeer(peer) : peer;
  }

  get WebSocket() {
    const hub = this;
    return class FakeSocket {
      readyState = 0;
      bufferedAmount = 0;
      binaryType = "blob";
      listeners = new Map();
      constructor(url, protocol) {
        this.url = url;
        this.protocol = protocol;
        this.peerId = peerId();
        if (hub.outage) {
          // A refused or failed handshake: script sees only a close (1006), never why.
          later(() => {
            this.readyState = 3;
            this.fire("close", { code: 1006, reason: "" });
          });
          return;
        }
        hub.sockets.add(this);
        later(() => {
          this.readyState = 1;
          this.fire("open", {});
        });
      }
      addEventListener(type, fn) {
        if (!this.listeners.has(type)) this.listeners.set(type, []);
        this.listeners.get(type).push(fn);
      }
      fire(type, event) {
        for (const fn of this.listeners.get(type) ?? []) fn({ type, ...event });
      }
      deliver(message) {
        later(() => this.readyState === 1 && this.fire("message", { data: typeof message === "string" ? message : message }));
      }
      send(data) {
        if (this.readyState !== 1) throw new Error("not open");
        later(() => hub.fromClient(this, data));
      }
      close(code = 1000, reason = "") {
        if (this.readyState === 3) return;
        this.readyState = 3;
        hub.gone(this);
        later(() => this.fire("close", { code, reason }));
      }
    };
  }

  others(socket) {
    return [...this.sockets].filter((s) => s !== socket && s.welcomed);
  }

  json(socket, message) {
    socket.deliver(JSON.stringify(message));
  }

  fromClient(socket, data) {
    if (typeof data !== "string") {
      const bytes = new Uint8Array(data);
      const relay = this.relays.get(relayIdFromBytes(bytes));
      if (!relay?.opened) return;
      const count = ++this.relayFrames;
      this.relayBytes += bytes.length;
      if (this.cutRelay?.(relay.id, count)) {
        this.relays.delete(relay.id);
        for (const end of [relay.a, relay.b]) this.json(end, { type: "relay-closed", relay: relay.id, reason: "closed" });
        return;
      }
      const other = relay.a === socket ? relay.b : relay.a;
      other.deliver(bytes.slice().buffer);
      return;
    }
    const message = JSON.parse(data);
    switch (message.type) {
      case "hello": {
        socket.device = message.device;
        socket.welcomed = true;
        const peers = this.others(socket).map((s) => this.peerOf(s));
        this.json(socket, {
          type: "welcome", v: 1, you: this.peerOf(socket),
          rooms: [{ id: "team:1", kind: "team", name: "Crew", peers }],
          limits: { maxMessageBytes: 65536, maxRelayFrameBytes: 262144 },
        });
        for (const other of this.others(socket)) this.json(other, { type: "peer-joined", room: "team:1", peer: this.peerOf(socket) });
        return;
      }
      case "signal": {
        const target = [...this.sockets].find((s) => s.peerId === message.to && s.welcomed);
        if (!target) return this.json(socket, { type: "error", code: "unknown-peer", message: "no", ref: message.ref });
        let out = { type: "signal", from: socket.peerId, data: JSON.parse(JSON.stringify(message.data)) };
        if (this.tamperSignal) out = this.tamperSignal(socket, target, out);
        if (out) this.json(target, out);
        return;
      }
      case "relay-open": {
        const existing = this.relays.get(message.relay);
        if (!existing) {
          this.relays.set(message.relay, { id: message.relay, a: socket, b: null, to: message.to, opened: false });
        } else if (existing.a !== socket && existing.to === socket.peerId && message.to === existing.a.peerId) {
          existing.b = socket;
          existing.opened = true;
          this.json(existing.a, { type: "relay-opened", relay: message.relay, peer: socket.peerId });
          this.json(socket, { type: "relay-opened", relay: message.relay, peer: existing.a.peerId });
        }
        return;
      }
      case "rename": {
        this.devices.get(socket.device).name = message.name;
        for (const other of this.others(socket)) this.json(other, { type: "peer-updated", peer: this.peerOf(socket) });
        return;
      }
      case "relay-close": {
        const relay = this.relays.get(message.relay);
        if (!relay) return;
        this.relays.delete(message.relay);
        const other = relay.a === socket ? relay.b : relay.a;
        if (other) this.json(other, { type: "relay-closed", relay: relay.id, reason: "closed" });
        return;
      }
      default:
        return;
    }
  }

  gone(socket) {
    this.sockets.delete(socket);
    if (socket.welcomed) for (const other of this.others(socket)) this.json(other, { type: "peer-left", room: "team:1", peer: socket.peerId });
  }
}
