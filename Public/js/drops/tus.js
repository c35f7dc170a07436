/**
 * A tus 1.0 client for Ferry's `/api/v1/uploads` (docs/DROPS.md, "Uploading: tus 1.0"): create
 * with the exact length, ask the offset with HEAD, append with PATCH and an optional
 * `Upload-Checksum: sha256` (a chunk then lands whole or not at all, so offsets stay on chunk
 * boundaries), terminate with DELETE. Over http.js, so every failure is an ApiProblem.
 *
 * An upload is named by its path below the API base ("/uploads/ID"), what `Location` says minus
 * the base, so a stored name stays valid whatever origin the page is served from.
 *
 * @module drops/tus
 */

import { toBase64 } from "./base64.js";

export const TUS_VERSION = "1.0.0";

/**
 * @param {import("../http.js").Http} http
 * @param {{ crypto?: Crypto }} [options]
 */
export function createTus(http, { crypto = globalThis.crypto } = {}) {
  const headers = (more = {}) => ({ "Tus-Resumable": TUS_VERSION, ...more });

  /** "/api/v1/uploads/x" or an absolute URL → "/uploads/x". @param {string} location */
  function uploadPath(location) {
    const path = new URL(location, "http://base.invalid").pathname;
    const base = new URL(http.base, "http://base.invalid").pathname.replace(/\/+$/, "");
    if (!path.startsWith(base + "/uploads/")) throw new Error(`unexpected upload location ${location}`);
    return path.slice(base.length);
  }

  return {
    uploadPath,

    /**
     * Creates an upload of exactly `length` bytes.
     * @param {number} length
     * @param {AbortSignal} [signal]
     * @returns {Promise<string>} the upload's path
     */
    async create(length, signal) {
      const response = await http.send("POST", "/uploads", { headers: headers({ "Upload-Length": String(length) }), signal });
      const location = response.headers.get("location");
      if (!location) throw new Error("the server created an upload without a Location");
      return uploadPath(location);
    },

    /**
     * The server's offset, or null when the upload is gone (404, 410): start again.
     * @param {string} path
     * @param {AbortSignal} [signal]
     * @returns {Promise<{ offset: number, length: number } | null>}
     */
    async status(path, signal) {
      const response = await http.send("HEAD", path, {
        headers: headers(),
        signal,
        accept: (status) => (status >= 200 && status < 300) || status === 404 || status === 410,
      });
      if (response.status === 404 || response.status === 410) return null;
      const offset = Number(response.headers.get("upload-offset"));
      const length = Number(response.headers.get("upload-length"));
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) throw new Error("the server sent no Upload-Offset");
      return { offset, length };
    },

    /**
     * Appends `bytes` at `offset`; returns the new offset.
     * @param {string} path
     * @param {number} offset
     * @param {Uint8Array} bytes
     * @param {{ checksum?: boolean, signal?: AbortSignal }} [options]
     */
    async append(path, offset, bytes, { checksum = true, signal } = {}) {
      const more = { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" };
      if (checksum) more["Upload-Checksum"] = `sha256 ${toBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))}`;
      // As a Blob, not the bytes themselves: Chromium then hands the body to the network as one
      // blob, where an ArrayBuffer body cost about 50 CPU seconds per GiB between the renderer and
      // the browser process and capped uploads near 10 MiB/s under Playwright (Benchmarks/README.md,
      // "Drops in the browser").
      const response = await http.send("PATCH", path, { headers: headers(more), body: new Blob([bytes]), signal });
      const next = Number(response.headers.get("upload-offset"));
      if (!Number.isSafeInteger(next)) throw new Error("the server sent no Upload-Offset");
      return next;
    },

    /** Deletes an upload (its bytes go at once). @param {string} path */
    async remove(path) {
      await http.send("DELETE", path, { headers: headers(), accept: (status) => status < 300 || status === 404 || status === 410 });
    },
  };
}

/** @typedef {ReturnType<typeof createTus>} Tus */
