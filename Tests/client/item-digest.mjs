// A reference implementation of the item digest (Public/js/transfer/item-digest.js, docs/TRANSFERS.md
// "Integrity") on Node's own SHA-256, so the tests check the client against the definition rather
// than against itself.
import { createHash } from "node:crypto";

export const BLOCK = 512 * 1024;

/** @param {Uint8Array} bytes @returns {string} */
export function itemDigest(bytes) {
  const outer = createHash("sha256");
  for (let at = 0; at < bytes.length; at += BLOCK) outer.update(createHash("sha256").update(bytes.subarray(at, at + BLOCK)).digest());
  return outer.digest("hex");
}
