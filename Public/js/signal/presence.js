/**
 * Who is online, from the signalling server's presence messages (docs/SIGNALLING.md): a pure
 * reducer over `welcome`, `peer-joined`, `peer-left`, `peer-updated`, `room-joined` and
 * `room-left`. The same peer (a tab) may be in several rooms; it is listed once, with its rooms.
 * A new `welcome` (after a reconnect) replaces everything, since peer ids are per socket.
 *
 * @module signal/presence
 */

/**
 * @typedef {object} Peer
 * @property {string} id PeerID
 * @property {{ id: string, name: string, publicKey: string }} device
 * @property {{ id: string, name: string } | null} user
 * @property {boolean} guest
 */

/**
 * @typedef {object} Room
 * @property {string} id
 * @property {"team" | "network" | "pairing"} kind
 * @property {string} name
 * @property {string} [label] a member's pairing room: whom the member made the code for
 */

/**
 * @typedef {object} Presence
 * @property {Peer | null} you
 * @property {Record<string, Room>} rooms
 * @property {Record<string, Peer>} peers by PeerID
 * @property {Record<string, string[]>} peerRooms PeerID → room ids
 */

/** @returns {Presence} */
export function emptyPresence() {
  return { you: null, rooms: {}, peers: {}, peerRooms: {} };
}

/**
 * @param {Presence} state
 * @param {string} roomId
 * @param {Peer} peer
 * @returns {Presence}
 */
function addPeer(state, roomId, peer) {
  if (state.you && peer.id === state.you.id) return state;
  const rooms = state.peerRooms[peer.id] ?? [];
  return {
    ...state,
    peers: { ...state.peers, [peer.id]: peer },
    peerRooms: { ...state.peerRooms, [peer.id]: rooms.includes(roomId) ? rooms : [...rooms, roomId] },
  };
}

/**
 * @param {Presence} state
 * @param {string} roomId
 * @param {string} peerId
 * @returns {Presence}
 */
function removePeer(state, roomId, peerId) {
  const rooms = (state.peerRooms[peerId] ?? []).filter((id) => id !== roomId);
  if (rooms.length > 0) return { ...state, peerRooms: { ...state.peerRooms, [peerId]: rooms } };
  const { [peerId]: _gone, ...peers } = state.peers;
  const { [peerId]: _rooms, ...peerRooms } = state.peerRooms;
  return { ...state, peers, peerRooms };
}

/**
 * @param {{ id: string, kind: any, name: string, label?: string, peers?: Peer[] }} room
 * @param {Presence} state
 */
function addRoom(state, room) {
  const kept = { id: room.id, kind: room.kind, name: room.name, ...(typeof room.label === "string" && room.label ? { label: room.label } : {}) };
  let next = { ...state, rooms: { ...state.rooms, [room.id]: kept } };
  for (const peer of room.peers ?? []) next = addPeer(next, room.id, peer);
  return next;
}

/**
 * Applies one server message; messages that are not about presence return `state` unchanged.
 * @param {Presence} state
 * @param {Record<string, any>} message
 * @returns {Presence}
 */
export function applyPresence(state, message) {
  switch (message.type) {
    case "welcome": {
      let next = { ...emptyPresence(), you: message.you };
      for (const room of message.rooms ?? []) next = addRoom(next, room);
      return next;
    }
    case "peer-joined":
      return state.rooms[message.room] ? addPeer(state, message.room, message.peer) : state;
    case "peer-left":
      return removePeer(state, message.room, message.peer);
    case "peer-updated":
      return state.peers[message.peer?.id] ? { ...state, peers: { ...state.peers, [message.peer.id]: message.peer } } : state;
    case "room-joined":
      return addRoom(state, message.room);
    case "room-left": {
      const { [message.room]: _gone, ...rooms } = state.rooms;
      let next = { ...state, rooms };
      for (const peerId of Object.keys(state.peerRooms)) {
        if (state.peerRooms[peerId].includes(message.room)) next = removePeer(next, message.room, peerId);
      }
      return next;
    }
    default:
      return state;
  }
}

/**
 * The peers for a list: each with its room names, sorted by user name, then device name, then id
 * (so the list does not jump around), other tabs of this same device included but marked.
 * @param {Presence} state
 * @returns {Array<Peer & { rooms: Room[], sameDevice: boolean, mine: boolean }>}
 */
export function listPeers(state) {
  const collator = new Intl.Collator(undefined, { sensitivity: "base" });
  return Object.values(state.peers)
    .map((peer) => ({
      ...peer,
      ...guestLabelOf(state, peer.id),
      rooms: (state.peerRooms[peer.id] ?? []).map((id) => state.rooms[id]).filter(Boolean),
      sameDevice: state.you !== null && peer.device.id === state.you.device.id,
      // Another device of the same person (a phone beside the laptop).
      mine: Boolean(state.you?.user && peer.user && peer.user.id === state.you.user.id),
    }))
    .sort(
      (a, b) =>
        collator.compare(a.user?.name ?? "", b.user?.name ?? "") ||
        collator.compare(a.device.name, b.device.name) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

/**
 * For a guest seen by its member: `{ label }`, whom the member made the pairing code for (on the
 * member's pairing room: the server never puts it on the guest's peer, which the guest's own tabs
 * see); `{}` otherwise.
 * @param {Presence} state
 * @param {string} peerId
 * @returns {{ label?: string }}
 */
export function guestLabelOf(state, peerId) {
  if (!state.peers[peerId]?.guest) return {};
  const label = (state.peerRooms[peerId] ?? []).map((id) => state.rooms[id]).find((room) => room?.kind === "pairing" && room.label)?.label;
  return label ? { label } : {};
}

/**
 * The online peers of one device (its tabs), for finding a receiver again after it reloaded.
 * @param {Presence} state
 * @param {string} deviceId
 * @returns {Peer[]}
 */
export function peersOfDevice(state, deviceId) {
  return Object.values(state.peers).filter((peer) => peer.device.id === deviceId);
}

/**
 * A member's pairings whose guest is away (its page closed, or offline): the pairing room stays
 * for the server's reconnect grace, but no guest is in it, so "Online now" has no row to end it
 * from. Empty for a guest (its one pairing room is its member's, not a guest it paired).
 * @param {Presence} state
 * @returns {Array<{ pairing: string, room: Room }>} `pairing`: the room id after `pairing:`
 */
export function awayPairings(state) {
  if (!state.you || state.you.guest) return [];
  const present = new Set(
    Object.entries(state.peerRooms)
      .filter(([peerId]) => state.peers[peerId]?.guest)
      .flatMap(([, rooms]) => rooms),
  );
  return Object.values(state.rooms)
    .filter((room) => room.kind === "pairing" && room.id.startsWith("pairing:") && !present.has(room.id))
    .map((room) => ({ pairing: room.id.slice("pairing:".length), room }));
}
