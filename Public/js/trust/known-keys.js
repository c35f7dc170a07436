/**
 * What this browser remembers about other devices' keys: trust on first use, upgraded to
 * "verified" when the two people compared verification codes. A key that differs from the one
 * remembered for a device is reported as `changed` and never replaces it silently: the server
 * (or whoever controls it) is the only party that could list a new key for an existing device id,
 * since the server itself refuses a new key for a registered device (`409 device-key-changed`).
 *
 * Stored as JSON under {@link KNOWN_KEYS_STORAGE_KEY} in a `localStorage`-like storage.
 *
 * @module trust/known-keys
 */

/** @typedef {import("../shell-state.js").KeyValueStorage} KeyValueStorage */

export const KNOWN_KEYS_STORAGE_KEY = "ferry.knownKeys";
/** Most devices remembered; the oldest unverified ones go first. */
export const MAX_KNOWN_DEVICES = 1000;

/**
 * @typedef {object} KnownKey
 * @property {string} publicKey SPKI, base64url
 * @property {string | null} userId
 * @property {string} name the device name when last seen
 * @property {boolean} verified the codes were compared
 * @property {number} firstSeen ms since the epoch
 * @property {number | null} verifiedAt
 */

/**
 * @typedef {"new" | "known" | "verified" | "changed"} KeyStatus
 *   new: first time seen (now remembered, unverified); known: same key, not verified;
 *   verified: same key, codes compared; changed: a different key than the remembered one.
 */

export class KnownKeys {
  /** @type {Record<string, KnownKey>} */
  #keys;
  #storage;
  #now;

  /**
   * @param {KeyValueStorage | null} storage
   * @param {() => number} [now]
   */
  constructor(storage, now = Date.now) {
    this.#storage = storage;
    this.#now = now;
    this.#keys = {};
    try {
      const parsed = JSON.parse(storage?.getItem(KNOWN_KEYS_STORAGE_KEY) ?? "{}");
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) this.#keys = parsed;
    } catch {
      this.#keys = {};
    }
  }

  #save() {
    const ids = Object.keys(this.#keys);
    if (ids.length > MAX_KNOWN_DEVICES) {
      const unverified = ids.filter((id) => !this.#keys[id].verified).sort((a, b) => this.#keys[a].firstSeen - this.#keys[b].firstSeen);
      for (const id of unverified.slice(0, ids.length - MAX_KNOWN_DEVICES)) delete this.#keys[id];
    }
    try {
      this.#storage?.setItem(KNOWN_KEYS_STORAGE_KEY, JSON.stringify(this.#keys));
    } catch {
      // A full or disabled storage only costs memory across reloads.
    }
  }

  /**
   * Looks at a peer as the server lists it and says how its key compares with what is
   * remembered. A new device is remembered (unverified); a changed key is not.
   * @param {{ device: { id: string, name: string, publicKey: string }, user: { id: string } | null }} peer
   * @returns {{ status: KeyStatus, remembered: KnownKey | null }}
   */
  observe(peer) {
    const known = this.#keys[peer.device.id];
    if (!known) {
      this.#keys[peer.device.id] = {
        publicKey: peer.device.publicKey,
        userId: peer.user?.id ?? null,
        name: peer.device.name,
        verified: false,
        firstSeen: this.#now(),
        verifiedAt: null,
      };
      this.#save();
      return { status: "new", remembered: null };
    }
    if (known.publicKey !== peer.device.publicKey || (known.userId ?? null) !== (peer.user?.id ?? null)) {
      return { status: "changed", remembered: { ...known } };
    }
    if (known.name !== peer.device.name) {
      known.name = peer.device.name;
      this.#save();
    }
    return { status: known.verified ? "verified" : "known", remembered: { ...known } };
  }

  /**
   * The status without remembering anything.
   * @param {{ device: { id: string, publicKey: string }, user: { id: string } | null }} peer
   * @returns {KeyStatus}
   */
  statusOf(peer) {
    const known = this.#keys[peer.device.id];
    if (!known) return "new";
    if (known.publicKey !== peer.device.publicKey || (known.userId ?? null) !== (peer.user?.id ?? null)) return "changed";
    return known.verified ? "verified" : "known";
  }

  /**
   * Records that the people compared the codes for this exact key. This is also the only way a
   * changed key replaces the remembered one: by being verified.
   * @param {{ device: { id: string, name: string, publicKey: string }, user: { id: string } | null }} peer
   */
  confirm(peer) {
    const now = this.#now();
    this.#keys[peer.device.id] = {
      publicKey: peer.device.publicKey,
      userId: peer.user?.id ?? null,
      name: peer.device.name,
      verified: true,
      firstSeen: this.#keys[peer.device.id]?.firstSeen ?? now,
      verifiedAt: now,
    };
    this.#save();
  }

  /**
   * Forgets a device (the user removed the trust, or wants to start over after a reinstall).
   * @param {string} deviceId
   */
  forget(deviceId) {
    delete this.#keys[deviceId];
    this.#save();
  }

  /** @param {string} deviceId @returns {KnownKey | null} */
  get(deviceId) {
    const known = this.#keys[deviceId];
    return known ? { ...known } : null;
  }
}
