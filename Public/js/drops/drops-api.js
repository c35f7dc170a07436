/**
 * The drops routes of the JSON API (docs/DROPS.md, "JSON API") over http.js: the owner's
 * (create, list, extend, revoke, delete) and the downloader's (describe, open, file ranges).
 * Binary values are base64url; the proof and the ticket travel in headers, never in a URL.
 *
 * @module drops/drops-api
 */

import { JSON_ACCEPT, createHttp, readJSONBody } from "../http.js";

/** @param {import("../http.js").Http} [http] */
export function createDropsApi(http = createHttp()) {
  const segment = encodeURIComponent;

  /** @param {string} method @param {string} path @param {{ body?: unknown, headers?: Record<string, string> }} [options] */
  async function json(method, path, { body, headers = {} } = {}) {
    const init = { headers: { Accept: JSON_ACCEPT, ...headers } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await http.send(method, path, init);
    return (await readJSONBody(response)).value;
  }

  const proofHeaders = (/** @type {string} */ proof, /** @type {string | null} */ ticket) => ({
    "Ferry-Drop-Proof": proof,
    ...(ticket ? { "Ferry-Drop-Ticket": ticket } : {}),
  });

  /**
   * The answer to a request for bytes `[start, end)` of file `index`'s stream, its body unread
   * (drops/range-reader.js reads it into memory of its own): 206, or 200 with the whole stream
   * from a server that ignores Range.
   * @param {string} id @param {number} index @param {string} proof @param {string | null} ticket
   * @param {number} start @param {number} end
   * @returns {Promise<Response>}
   */
  const rangeAnswer = (id, index, proof, ticket, start, end) =>
    http.send("GET", `/drops/${segment(id)}/files/${index}`, {
      headers: { ...proofHeaders(proof, ticket), Range: `bytes=${start}-${end - 1}` },
    });

  return {
    /** @param {{ verifier: string, metadata: string, files: string[], password?: { salt: string, iterations: number }, expiresIn?: number, maxDownloads?: number }} body */
    create: (body) => json("POST", "/drops", { body }),
    list: async () => /** @type {any} */ (await json("GET", "/drops")).drops,
    /** The server's limits for drops. @returns {Promise<import("./limits.js").DropLimits>} */
    limits: async () => /** @type {any} */ (await json("GET", "/drops/limits")),
    /** @param {string} id @param {{ expiresIn?: number, maxDownloads?: number }} body */
    change: (id, body) => json("PATCH", `/drops/${segment(id)}`, { body }),
    /** @param {string} id */
    revoke: (id) => json("POST", `/drops/${segment(id)}/revoke`),
    /** @param {string} id */
    remove: (id) => http.send("DELETE", `/drops/${segment(id)}`),
    /** @param {string} id */
    describe: (id) => json("GET", `/drops/${segment(id)}`),
    /**
     * Whether `proof` opens the drop (a password is right), counting nothing; refused with an
     * ApiProblem (`drop-proof-refused`, or the drop's state) otherwise.
     * @param {string} id @param {string} proof
     */
    check: async (id, proof) => {
      await http.send("POST", `/drops/${segment(id)}/check`, { headers: proofHeaders(proof, null) });
    },
    /** Counts a download, unless `ticket` is still valid. @param {string} id @param {string} proof @param {string | null} ticket */
    open: (id, proof, ticket) => json("POST", `/drops/${segment(id)}/open`, { headers: proofHeaders(proof, ticket) }),
    /**
     * Bytes `[start, end)` of file `index`'s stream.
     * @param {string} id @param {number} index @param {string} proof @param {string} ticket
     * @param {number} start @param {number} end
     */
    async range(id, index, proof, ticket, start, end) {
      const response = await rangeAnswer(id, index, proof, ticket, start, end);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status === 200) return bytes.subarray(start, end); // a server that ignores Range
      return bytes;
    },
    rangeAnswer,
  };
}
