/**
 * Turns file and folder names that came from another device into names that are safe to write
 * on this one, whatever the operating system: no path traversal, no absolute paths, no control
 * or bidirectional-override characters (which make "gpj.exe" look like "exe.jpg"), no names
 * Windows reserves for devices, no characters a file system refuses, nothing too long. Folder
 * structure is kept as relative segments joined by "/".
 *
 * The receiver applies this to every name of an offer before it is shown, and writes only the
 * sanitised names — into a new folder of its own, never merging into an existing one, so a
 * received ".git/hooks/…" can never land inside an existing repository.
 *
 * @module transfer/names
 */

/** Longest segment, in UTF-8 bytes (ext4, NTFS, APFS all allow 255). */
export const MAX_SEGMENT_BYTES = 255;
/** Deepest folder nesting kept; deeper segments are joined into the last one. */
export const MAX_DEPTH = 32;
/** Longest whole relative path, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096;

// C0, DEL, C1; bidi marks, embeddings, overrides and isolates; zero-width and BOM; line and
// paragraph separators; characters Windows refuses in names; the path separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb<>:"|?*\\/]/gu;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;
const encoder = new TextEncoder();

/** @param {string} text */
const byteLength = (text) => encoder.encode(text).length;

/**
 * Cuts `text` to at most `max` UTF-8 bytes without splitting a character (or a surrogate pair).
 * @param {string} text
 * @param {number} max
 */
function cutToBytes(text, max) {
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > max) break;
    out += char;
    used += size;
  }
  return out;
}

/**
 * One name segment made safe, or "" when nothing is left ("." and ".." count as nothing).
 * @param {string} segment
 * @returns {string}
 */
export function sanitizeSegment(segment) {
  let name = String(segment).normalize("NFC").replace(UNSAFE, "_");
  // Windows drops trailing dots and spaces, so "a.txt." would become "a.txt" there; leading
  // spaces hide a name's start in listings.
  name = name.replace(/^[\s]+/u, "").replace(/[.\s]+$/u, "");
  if (name === "" || /^\.+$/.test(name)) return "";
  const base = name.split(".")[0].trim();
  if (RESERVED.test(base)) name = `_${name}`;
  if (byteLength(name) > MAX_SEGMENT_BYTES) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    name = cutToBytes(name.slice(0, name.length - extension.length), MAX_SEGMENT_BYTES - byteLength(extension)) + extension;
  }
  return name;
}

/**
 * A relative path from another device ("/"-separated) made safe: each segment through
 * {@link sanitizeSegment}, empty, "." and ".." segments dropped (never resolved: "a/../b" is
 * "a/b", so nothing climbs out), depth and length bounded. A "\\" is a character of a name (Linux
 * and macOS allow it), not a separator: it becomes "_" like the other characters a file system
 * refuses, so "a\\b.txt" stays one file instead of a folder "a" holding "b.txt".
 * @param {string} path
 * @param {string} [fallback] the name used when nothing is left
 * @returns {string} never empty, never starting with "/", no "." or ".." segment
 */
export function sanitizePath(path, fallback = "file") {
  let segments = String(path).split("/").map(sanitizeSegment).filter((segment) => segment !== "");
  if (segments.length > MAX_DEPTH) {
    segments = [...segments.slice(0, MAX_DEPTH - 1), sanitizeSegment(segments.slice(MAX_DEPTH - 1).join("_"))];
  }
  while (segments.length > 1 && byteLength(segments.join("/")) > MAX_PATH_BYTES) segments.splice(-2, 1);
  return segments.length === 0 ? fallback : segments.join("/");
}

/**
 * The folders `paths` make (each path's every folder, lower-cased): the first `taken` of
 * {@link uniquePath}, so a file never gets the name of a folder another item needs ("x" beside
 * "x/y" becomes "x (2)"; on disk one of the two could not be made).
 * @param {string[]} paths sanitised paths
 * @returns {Set<string>}
 */
function folderPrefixes(paths) {
  const folders = new Set();
  for (const path of paths) {
    const segments = path.split("/");
    for (let k = 1; k < segments.length; k++) folders.add(segments.slice(0, k).join("/").toLowerCase());
  }
  return folders;
}

/**
 * A name not in `taken`, made by adding " (2)", " (3)", … before the extension. Comparison is
 * case-insensitive because the target file system may be.
 * @param {string} path a sanitised path
 * @param {Set<string>} taken lower-cased paths already used; `path`'s final form is added
 * @returns {string}
 */
export function uniquePath(path, taken) {
  let candidate = path;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash + 1);
    const name = path.slice(slash + 1);
    const dot = name.lastIndexOf(".");
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    candidate = `${dir}${stem} (${n})${extension}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * Every path of a list made unique with {@link uniquePath}, in order, none taking the name of a
 * folder another one needs ({@link folderPrefixes}).
 * @param {string[]} paths sanitised paths
 * @returns {string[]}
 */
export function uniquePaths(paths) {
  const taken = folderPrefixes(paths);
  return paths.map((path) => uniquePath(path, taken));
}
