/**
 * Client for `POST /api/v1/digests`: sends the names, sizes and SHA-256 digests of files
 * (never their contents) and returns the server's receipt. Failures of any kind — invalid
 * input, a problem+json answer (RFC 9457), an unexpected answer, no network — become one
 * {@link ApiError} shape that the page can show.
 *
 * @module receipt-api
 */

/** Where digests are posted. */
export const DIGESTS_ENDPOINT = "/api/v1/digests";
/** Most files in one request (the server's limit). */
export const MAX_FILES = 100;
/** Longest file name, in characters (the server's limit). */
export const MAX_NAME_LENGTH = 255;

const SHA256_HEX = /^[0-9a-f]{64}$/;

const STATUS_TITLES = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * @typedef {object} FileDigest
 * @property {string} name file name, 1…255 characters
 * @property {number} size bytes, an integer from 0 to 2^53 - 1
 * @property {string} sha256 64 lowercase hexadecimal characters
 */

/**
 * @typedef {object} Receipt
 * @property {string} receipt the receipt id
 * @property {string} receivedAt ISO 8601 time the server recorded
 * @property {number} count
 * @property {number} totalBytes
 * @property {FileDigest[]} files
 */

/**
 * @typedef {object} FieldError
 * @property {string} pointer a JSON pointer into the request body, such as "/files/0/sha256"
 * @property {string} detail
 */

/**
 * A failed request, shaped like an RFC 9457 problem. `status` is 0 when no HTTP answer was had
 * (invalid input caught before sending, or no network).
 */
export class ApiError extends Error {
  /**
   * @param {object} problem
   * @param {number} problem.status
   * @param {string} problem.title
   * @param {string} [problem.detail]
   * @param {string} [problem.type]
   * @param {FieldError[]} [problem.errors]
   * @param {unknown} [cause]
   */
  constructor({ status, title, detail = "", type = "about:blank", errors = [] }, cause) {
    super(detail ? `${title}: ${detail}` : title, cause === undefined ? undefined : { cause });
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.type = type;
    this.errors = errors;
  }
}

/**
 * Characters as a person counts them (code points), not UTF-16 units.
 * @param {string} text
 */
const characterCount = (text) => [...text].length;

/**
 * Checks the files against the endpoint's contract and builds the `fetch` options.
 *
 * @param {FileDigest[]} files
 * @returns {{ method: "POST", headers: Record<string, string>, body: string }}
 * @throws {ApiError} with status 0 and one field error per problem found
 */
export function buildDigestRequest(files) {
  if (!Array.isArray(files) || files.length === 0) {
    throw new ApiError({ status: 0, title: "Nothing to send", detail: "Choose at least one file." });
  }
  if (files.length > MAX_FILES) {
    throw new ApiError({
      status: 0,
      title: "Too many files",
      detail: `Send at most ${MAX_FILES} files at a time; ${files.length} were chosen.`,
      errors: [{ pointer: "/files", detail: `at most ${MAX_FILES} files` }],
    });
  }
  /** @type {FieldError[]} */
  const errors = [];
  const body = files.map(({ name, size, sha256 }, index) => {
    if (typeof name !== "string" || name.length === 0 || characterCount(name) > MAX_NAME_LENGTH) {
      errors.push({ pointer: `/files/${index}/name`, detail: `must be 1 to ${MAX_NAME_LENGTH} characters` });
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      errors.push({ pointer: `/files/${index}/size`, detail: "must be a non-negative integer" });
    }
    if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) {
      errors.push({ pointer: `/files/${index}/sha256`, detail: "must be 64 lowercase hexadecimal characters" });
    }
    return { name, size, sha256 };
  });
  if (errors.length > 0) {
    throw new ApiError({ status: 0, title: "Invalid file list", detail: "Some files cannot be sent.", errors });
  }
  return {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, application/problem+json" },
    body: JSON.stringify({ files: body }),
  };
}

/**
 * Posts the digests and returns the receipt.
 *
 * @param {FileDigest[]} files
 * @param {object} [options]
 * @param {typeof fetch} [options.fetch] the `fetch` to use (tests pass a fake)
 * @param {string} [options.endpoint]
 * @param {AbortSignal} [options.signal] aborting rejects with the signal's reason, not an ApiError
 * @returns {Promise<Receipt>}
 * @throws {ApiError}
 */
export async function submitDigests(files, { fetch: fetchImpl = globalThis.fetch, endpoint = DIGESTS_ENDPOINT, signal } = {}) {
  const init = buildDigestRequest(files);
  let response;
  try {
    response = await fetchImpl(endpoint, { ...init, signal, credentials: "same-origin" });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new ApiError(
      { status: 0, title: "Network error", detail: "The server could not be reached. Check the connection and try again." },
      error,
    );
  }
  return parseReceiptResponse(response);
}

/**
 * The media type of a Content-Type value, lowercase and without parameters.
 * @param {string | null} contentType
 * @returns {string}
 */
export function mediaType(contentType) {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Reads a `fetch` Response from the digests endpoint.
 *
 * @param {Response} response
 * @returns {Promise<Receipt>} for a 2xx answer carrying a well-formed receipt
 * @throws {ApiError} for anything else, built from the problem+json body when there is one
 */
export async function parseReceiptResponse(response) {
  const type = mediaType(response.headers.get("content-type"));
  const isJSON = type === "application/json" || type === "application/problem+json";
  let text = "";
  try {
    text = await response.text();
  } catch {
    // An unreadable body is handled below as a missing one.
  }
  /** @type {unknown} */
  let body;
  if (isJSON) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (response.ok) {
    const receipt = asReceipt(body);
    if (!receipt) {
      throw new ApiError({
        status: response.status,
        title: "Unexpected answer",
        detail: "The server accepted the request but its answer was not a receipt.",
      });
    }
    return receipt;
  }
  throw new ApiError(asProblem(body, response));
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Validates a receipt's shape; undefined when it is not one.
 * @param {unknown} body
 * @returns {Receipt | undefined}
 */
function asReceipt(body) {
  if (!isObject(body)) return undefined;
  const { receipt, receivedAt, count, totalBytes, files } = body;
  if (typeof receipt !== "string" || receipt.length === 0) return undefined;
  if (typeof receivedAt !== "string") return undefined;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(totalBytes) || !Array.isArray(files)) return undefined;
  const valid = files.every(
    (file) =>
      isObject(file) && typeof file.name === "string" && Number.isSafeInteger(file.size) && typeof file.sha256 === "string",
  );
  if (!valid) return undefined;
  return {
    receipt,
    receivedAt,
    count,
    totalBytes,
    files: files.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
  };
}

/**
 * Builds a problem from an error answer, filling what the body lacks from the HTTP status.
 * @param {unknown} body
 * @param {Response} response
 */
function asProblem(body, response) {
  const fallbackTitle = STATUS_TITLES[response.status] ?? (response.statusText || `HTTP error ${response.status}`);
  const problem = isObject(body) ? body : {};
  const title = typeof problem.title === "string" && problem.title ? problem.title : fallbackTitle;
  const detail =
    typeof problem.detail === "string"
      ? problem.detail
      : isObject(body)
        ? ""
        : `The server answered with HTTP status ${response.status}.`;
  const errors = Array.isArray(problem.errors)
    ? problem.errors
        .filter((error) => isObject(error) && typeof error.detail === "string")
        .map((error) => ({ pointer: typeof error.pointer === "string" ? error.pointer : "", detail: error.detail }))
    : [];
  return {
    status: response.status,
    title,
    detail,
    type: typeof problem.type === "string" ? problem.type : "about:blank",
    errors,
  };
}

const FIELD_LABELS = { name: "name", size: "size", sha256: "SHA-256" };

/**
 * Turns a JSON pointer from a field error into words, naming the file it points at.
 * "/files/0/sha256" with a first file "a.txt" becomes "“a.txt” (file 1): SHA-256".
 *
 * @param {string} pointer
 * @param {{ name: string }[]} [files] the files that were sent, to name them
 * @returns {string}
 */
export function describePointer(pointer, files = []) {
  if (pointer === "" || pointer === "/") return "Request";
  const parts = pointer
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (parts[0] !== "files") return pointer;
  if (parts.length === 1) return "File list";
  const index = Number(parts[1]);
  if (!Number.isSafeInteger(index) || index < 0 || String(index) !== parts[1]) return pointer;
  const name = files[index]?.name;
  const file = name === undefined ? `File ${index + 1}` : `“${name}” (file ${index + 1})`;
  if (parts.length === 2) return file;
  const field = parts.slice(2).join("/");
  return `${file}: ${FIELD_LABELS[field] ?? field}`;
}
