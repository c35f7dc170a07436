/**
 * The sharing page's pure logic: view models of peers (grouped per room), offers and transfers,
 * the peer selection, the title badge, device names. No DOM, no clock of its own: the feature
 * modules render what these return, and node tests check them.
 *
 * @module app/model
 */

import { formatBytes, formatDuration, percent, plural } from "../format.js";

/** @typedef {import("../peer-client.js").PeerView} PeerView */
/** @typedef {import("../peer-client.js").TransferView} TransferView */
/** @typedef {import("../peer-client.js").IncomingOffer} IncomingOffer */

const ROOM_ORDER = { team: 0, network: 1, pairing: 2 };

/**
 * How a room is titled on the page.
 * @param {{ kind: string, name: string, label?: string }} room
 */
export function roomTitle(room) {
  // The server names network rooms already ("Design · same network").
  if (room.kind === "network") return /network/i.test(room.name) ? room.name : `${room.name} · same network`;
  // A member's pairing is titled by whom the member made the code for, as its guest is named.
  if (room.kind === "pairing") return room.label ? `Pairing · ${room.label}` : room.name ? `Pairing · ${room.name}` : "Pairing";
  return room.name;
}

/**
 * A peer's rooms in the order "Online now" shows them: each team followed by its same-network
 * room, teams by name, pairing last.
 * @template {{ kind: string, name: string }} Room
 * @param {Room[]} rooms
 */
function sortedRooms(rooms) {
  const key = (/** @type {Room} */ room) => {
    const base = room.kind === "network" ? roomTitle(room).replace(/ · same network$/, "") : room.name;
    return { group: room.kind === "pairing" ? 1 : 0, base, order: roomOrder(room.kind) };
  };
  return [...rooms]
    .map((room) => ({ room, key: key(room) }))
    .sort((a, b) => a.key.group - b.key.group || a.key.base.localeCompare(b.key.base) || a.key.order - b.key.order)
    .map(({ room }) => room);
}

/**
 * Rooms as words: "Design, same network" rather than "Design, Design · same network" (the network
 * room of a team titled just before, or of the section the row is in, is "same network").
 * @param {Array<{ kind: string, name: string }>} rooms sorted
 * @param {string} [section] the title the row is listed under
 */
function roomsNote(rooms, section) {
  const titles = [];
  let previous = section;
  for (const room of rooms) {
    const title = roomTitle(room);
    titles.push(room.kind === "network" && previous && title.startsWith(`${previous} · `) ? title.slice(previous.length + 3) : title);
    if (room.kind !== "network") previous = title;
  }
  return titles.join(", ");
}

/**
 * @typedef {object} PeerRow
 * @property {string} id
 * @property {string} who the user's name, or "Guest"
 * @property {string} device
 * @property {string} rooms every room the peer shares with us, in words ("Design, same network")
 * @property {"new" | "known" | "verified" | "changed"} keyStatus
 * @property {string} trust the words shown for keyStatus
 * @property {boolean} keyChanged sending is refused until the codes are compared again
 * @property {boolean} selected
 * @property {boolean} sameDevice another tab of this browser
 * @property {number} [tabs] how many open tabs of that browser the row stands for (groupPeers)
 * @property {string} [also] the peer's other rooms, in "Online now" (see groupPeers)
 * @property {string} [pairing] a guest paired with us: its pairing id (room `pairing:ID`), which
 *   we may end
 */

/**
 * @param {PeerView} peer
 * @param {Set<string>} selected
 * @returns {PeerRow}
 */
export function peerRow(peer, selected) {
  return {
    id: peer.id,
    // Another device of one's own is marked: sending to it is sending to oneself.
    who: `${peerName(peer)}${peer.user && peer.mine && !peer.sameDevice ? " (you)" : ""}`,
    device: peer.device.name,
    rooms: roomsNote(sortedRooms(peer.rooms)),
    keyStatus: peer.keyStatus,
    trust: trustLabel(peer.keyStatus),
    keyChanged: peer.keyStatus === "changed",
    selected: selected.has(peer.id),
    sameDevice: peer.sameDevice,
    ...(peer.guest ? pairingOf(peer) : {}),
  };
}

/** A guest's pairing id, from its `pairing:` room. @param {PeerView} peer */
function pairingOf(peer) {
  const room = peer.rooms.find((r) => r.kind === "pairing");
  return room ? { pairing: room.id.slice("pairing:".length) } : {};
}

/** @param {string} status */
export function trustLabel(status) {
  switch (status) {
    case "verified":
      return "verified";
    case "changed":
      return "key changed!";
    default:
      return "not verified";
  }
}

/** @param {string} kind */
const roomOrder = (kind) => ROOM_ORDER[/** @type {keyof typeof ROOM_ORDER} */ (kind)] ?? 9;

/**
 * "Online now", per room, **each peer once**: under the first of its rooms in `sortedRooms`'s
 * order (its first team by name, else pairing), with its other rooms as a note (`also`). A
 * same-network room is always a subset of a team room, so listing peers in every room showed
 * each colleague in the office twice, with two Select buttons for one device. Sections in a stable
 * order: teams, same network, pairing; then by name.
 * @param {PeerView[]} peers
 * @param {Set<string>} selected
 * @returns {Array<{ id: string, kind: string, title: string, peers: PeerRow[] }>}
 */
export function groupPeers(peers, selected) {
  /** @type {Map<string, { id: string, kind: string, title: string, name: string, peers: PeerRow[] }>} */
  const rooms = new Map();
  for (const { peer, tabs } of byDevice(peers)) {
    const [room, ...others] = sortedRooms(peer.rooms);
    if (!room) continue;
    let group = rooms.get(room.id);
    if (!group) {
      group = { id: room.id, kind: room.kind, title: roomTitle(room), name: room.name, peers: [] };
      rooms.set(room.id, group);
    }
    const row = { ...peerRow(peer, selected), selected: tabs.some((tab) => selected.has(tab.id)), tabs: tabs.length };
    group.peers.push({ ...row, also: roomsNote(others, group.title) });
  }
  return [...rooms.values()]
    .sort((a, b) => roomOrder(a.kind) - roomOrder(b.kind) || a.name.localeCompare(b.name))
    .map(({ id, kind, title, peers: list }) => ({
      id,
      kind,
      title,
      peers: list.sort((a, b) => a.who.localeCompare(b.who) || a.device.localeCompare(b.device) || a.id.localeCompare(b.id)),
    }));
}

/** Whether two peers are tabs of one browser: the same device id and key. @param {PeerView} a @param {PeerView} b */
export function sameBrowser(a, b) {
  return a.device.id === b.device.id && a.device.publicKey === b.device.publicKey;
}

/**
 * The peers one row each per browser: several tabs of one browser are one device to the person
 * sending (a row "Bob · Chrome on Linux · 2 tabs", its offer goes to every tab and the first
 * answer counts). The row is its first tab's (the longest open: presence keeps join order).
 * @param {PeerView[]} peers
 * @returns {Array<{ peer: PeerView, tabs: PeerView[] }>}
 */
export function byDevice(peers) {
  /** @type {Array<{ peer: PeerView, tabs: PeerView[] }>} */
  const devices = [];
  for (const peer of peers) {
    const known = devices.find((device) => sameBrowser(device.peer, peer));
    if (known) known.tabs.push(peer);
    else devices.push({ peer, tabs: [peer] });
  }
  return devices;
}

/** @typedef {{ peer: PeerView, since: number }} AwayPeer a selected peer that left */

/** How long a selected peer that left is remembered, to be selected again when it comes back. */
export const SELECTION_AWAY_MS = 120_000;

/**
 * The selection after peers came and went. Only online peers stay selected, but a selected peer
 * that left is remembered for a while (`away`): when the same device comes back under a new id
 * with the same key (its tab reloaded, its socket reconnected), it is selected again.
 * @param {Set<string>} selected
 * @param {PeerView[]} peers online now
 * @param {PeerView[]} before the peers of the update before
 * @param {AwayPeer[]} away
 * @param {number} now
 * @returns {{ selected: Set<string>, away: AwayPeer[] }}
 */
export function followSelection(selected, peers, before, away, now) {
  const online = new Set(peers.map((peer) => peer.id));
  const next = new Set([...selected].filter((id) => online.has(id)));
  const left = before.filter((peer) => selected.has(peer.id) && !online.has(peer.id)).map((peer) => ({ peer, since: now }));
  // A browser is one row whatever its tabs (byDevice): the selected tab closing leaves its
  // browser selected through another open tab, or through the same one coming back.
  /** @type {AwayPeer[]} */
  const stillAway = [];
  for (const entry of [...away, ...left]) {
    if (now - entry.since > SELECTION_AWAY_MS) continue;
    const back = peers.find((peer) => sameBrowser(peer, entry.peer));
    if (back) next.add(back.id);
    else stillAway.push(entry);
  }
  return { selected: next, away: stillAway };
}

/**
 * Selects or unselects a row: a peer, and with it every tab of its browser (`peers`, when given):
 * any of them selected means the row is, and unselecting it unselects them all.
 * @param {Set<string>} selected
 * @param {string} id
 * @param {PeerView[]} [peers]
 */
export function toggleSelection(selected, id, peers = []) {
  const next = new Set(selected);
  const peer = peers.find((p) => p.id === id);
  const tabs = peer ? peers.filter((p) => sameBrowser(p, peer)).map((p) => p.id) : [id];
  if (tabs.some((tab) => next.has(tab))) for (const tab of tabs) next.delete(tab);
  else next.add(id);
  return next;
}

/**
 * Who to send to: the selected peers; a drop on one peer sends to it alone unless it is part of
 * the selection, in which case the whole selection gets it.
 * @param {Set<string>} selected
 * @param {string | null} dropped
 * @returns {string[]}
 */
export function recipients(selected, dropped) {
  if (dropped !== null && !selected.has(dropped)) return [dropped];
  return [...selected];
}

/**
 * What the incoming-offer prompt shows.
 * @param {IncomingOffer} offer
 */
export function offerView(offer) {
  const { peer, summary } = offer;
  const who = peer.user || peer.label ? peerName(peer) : "A guest";
  const sorted = [...offer.manifest.items].sort((a, b) => a.path.localeCompare(b.path));
  const items = sorted.slice(0, 20).map((item) => ({ name: item.path, size: formatBytes(item.size) }));
  return {
    id: offer.offerId,
    who,
    device: peer.device.name,
    // A pairing room is named after the pair, whom the line names already: just "Pairing".
    rooms: roomsNote(sortedRooms(peer.rooms).map((room) => (room.kind === "pairing" ? { ...room, name: "", label: "" } : room))),
    trust: trustLabel(peer.keyStatus),
    keyChanged: peer.keyStatus === "changed",
    verified: peer.keyStatus === "verified",
    isText: summary.isText,
    title: summary.isText
      ? `${who} wants to send you a text message`
      : `${who} wants to send you ${plural(summary.count, "file")}`,
    count: summary.count,
    total: formatBytes(summary.totalSize),
    items: summary.isText ? [] : items,
    more: summary.isText ? 0 : Math.max(0, offer.manifest.items.length - items.length),
    resumable: offer.resumableBytes > 0 ? `${formatBytes(offer.resumableBytes)} already here from an earlier try` : "",
  };
}

/**
 * The status line when an offer on screen goes before it was answered: who, what, and why.
 * @param {ReturnType<typeof offerView>} view
 * @param {string} reason the client's reason ("cancelled", "the sender left", "expired", "answered in another tab")
 */
export function withdrawnText(view, reason) {
  const what = view.isText ? "a text message" : view.count === 1 && view.items[0] ? `“${view.items[0].name}”` : plural(view.count, "file");
  switch (reason) {
    case "cancelled":
      return `${view.who} withdrew the offer of ${what}.`;
    case "the sender left":
      return `${view.who} left before you answered: the offer of ${what} is gone.`;
    case "expired":
      return `The offer of ${what} from ${view.who} expired unanswered.`;
    case "answered in another tab":
      return `The offer of ${what} from ${view.who} was answered in another tab.`;
    default:
      return `The offer of ${what} from ${view.who} was withdrawn (${reason}).`;
  }
}

const STATE_LABELS = {
  offered: "waiting for an answer",
  connecting: "connecting",
  running: "sending",
  interrupted: "interrupted, waiting to resume",
  done: "done",
  failed: "failed",
  cancelled: "cancelled",
  declined: "declined",
};

/** @param {string} state */
export function isFinalState(state) {
  return state === "done" || state === "failed" || state === "cancelled" || state === "declined";
}

/**
 * The words for a transfer's path.
 * @param {"direct" | "relay" | null} mode
 */
export function pathLabel(mode) {
  if (mode === "direct") return "direct";
  if (mode === "relay") return "relayed, encrypted";
  return "";
}

/**
 * A transfer's items in a few words: the first top-level name, how many more there are, and the
 * number of files when folders hold more than their names say ("Photos/ · 3 files").
 * @param {{ count: number, names: string[], more: number }} summary
 */
export function itemsLabel(summary) {
  const listed = summary.names.length + summary.more;
  if (listed === 0) return plural(summary.count, "file");
  const others = listed - 1;
  const files = summary.count > listed ? ` · ${plural(summary.count, "file")}` : "";
  return `${summary.names[0]}${others > 0 ? ` and ${others} more` : ""}${files}`;
}

/**
 * What a row of the transfers panel shows.
 * @param {TransferView} t
 */
export function transferRow(t, { peerOnline } = /** @type {{ peerOnline?: boolean }} */ ({})) {
  const who = t.peer.userName ?? (t.peer.guest ? peerName({ label: t.peer.label }) : "");
  const name = t.summary.isText ? "Text message" : itemsLabel(t.summary);
  let state = /** @type {Record<string, string>} */ (STATE_LABELS)[t.state] ?? t.state;
  if (t.state === "running" && t.direction === "in") state = "receiving";
  // Who the transfer waits for: a reloaded sender must send the files again, the receiver's
  // page continues by itself.
  if (t.state === "interrupted") state = t.direction === "in" ? "interrupted, waiting for the sender" : "interrupted, waiting for the receiver";
  // Their device left (a closed tab): say so, rather than seem to wait on a page that is open.
  if (t.state === "interrupted" && peerOnline === false) {
    // A receiver's page continues by itself when back; a sender that left must send again.
    state = `interrupted: ${who || t.peer.deviceName} is offline; ${t.direction === "in" ? "it continues if they send the files again once back" : "it continues when they are back"}`;
  }
  const final = isFinalState(t.state);
  return {
    id: t.id,
    direction: t.direction,
    name,
    peer: `${t.direction === "out" ? "to" : "from"} ${who}${who ? " · " : ""}${t.peer.deviceName}`,
    state: t.state,
    stateText: t.note
      ? t.note
      : t.state === "cancelled" && t.error?.startsWith("cancelled by ")
        ? t.error // who cancelled: "cancelled by the other side"
        : t.error && t.error !== state && (t.state === "failed" || t.state === "declined")
          ? `${state}: ${t.error}`
          : state,
    path: pathLabel(t.mode),
    percent: percent(t.done, t.total),
    // A text travels whole inside its offer: its size, not "0 B of 6 B" on the sender's side.
    bytes: t.summary.isText ? formatBytes(t.total) : `${formatBytes(t.done)} of ${formatBytes(t.total)}`,
    speed: t.state === "running" && t.bytesPerSecond ? `${formatBytes(Math.round(t.bytesPerSecond))}/s` : "",
    eta: !final && t.etaMs !== null && t.etaMs !== undefined && t.state === "running" ? `${formatDuration(Math.round(t.etaMs))} left` : "",
    canCancel: !final,
  };
}

/**
 * The tab title with the number of unseen offers: "(2) Ferry".
 * @param {string} base
 * @param {number} unseen
 */
export function badgedTitle(base, unseen) {
  const plain = base.replace(/^\(\d+\) /, "");
  return unseen > 0 ? `(${unseen}) ${plain}` : plain;
}

/** Where the device name is remembered. */
export const DEVICE_NAME_KEY = "ferry.deviceName";

/**
 * Who a peer is, in words: its user's name, or for a guest the label its member gave the pairing
 * code ("Alice (guest)": set by the member, so the guest cannot pose as someone else), else "Guest".
 * @param {{ user?: { name: string } | null, label?: string | null }} peer
 */
export function peerName(peer) {
  if (peer.user) return peer.user.name;
  return peer.label ? `${peer.label} (guest)` : "Guest";
}

/**
 * A first device name from the browser's user agent: "Chrome on Linux".
 * @param {string} userAgent
 */
export function defaultDeviceName(userAgent) {
  const browser = /Edg\//.test(userAgent) ? "Edge" : /Firefox\//.test(userAgent) ? "Firefox" : /Chrom(e|ium)\//.test(userAgent) ? "Chrome" : /Safari\//.test(userAgent) ? "Safari" : "Browser";
  const system = /Android/.test(userAgent) ? "Android" : /iPhone|iPad/.test(userAgent) ? "iOS" : /Windows/.test(userAgent) ? "Windows" : /Mac OS X/.test(userAgent) ? "macOS" : /Linux/.test(userAgent) ? "Linux" : "";
  return system ? `${browser} on ${system}` : browser;
}

/**
 * A device name as the server takes it (1–64 characters after trimming, no control or bidi
 * characters), or an error to show.
 * @param {string} input
 * @returns {{ ok: true, value: string } | { ok: false, error: string }}
 */
export function parseDeviceName(input) {
  const value = input.trim();
  if (value.length === 0) return { ok: false, error: "Enter a name for this device." };
  if ([...value].length > 64) return { ok: false, error: "At most 64 characters." };
  if (/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(value)) return { ok: false, error: "No control or direction characters." };
  return { ok: true, value };
}

/**
 * The guest page's code: from `#CODE`, `?code=CODE` or what was typed; upper case, with the dash.
 * @param {string} input
 * @returns {string | null} "XXXX-XXXX", or null when it cannot be a code
 */
export function normalizePairingCode(input) {
  const letters = input.toUpperCase().replace(/[^0-9A-Z]/g, "");
  if (!/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/.test(letters)) return null;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

/**
 * The link a guest opens: `ORIGIN/pair#CODE` (the fragment never reaches a server log).
 * @param {string} origin
 * @param {string} code
 */
export function pairingLink(origin, code) {
  return `${origin}/pair#${code}`;
}

/**
 * The code carried by the guest page's address, if any.
 * @param {{ hash: string, search: string }} location
 */
export function codeFromLocation(location) {
  const fromHash = location.hash.replace(/^#/, "");
  if (fromHash) return normalizePairingCode(decodeURIComponent(fromHash));
  const fromQuery = new URLSearchParams(location.search).get("code");
  return fromQuery ? normalizePairingCode(fromQuery) : null;
}
