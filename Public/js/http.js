/**
 * Raw requests to Ferry's API under `/api/v1`: any method, headers and body (JSON text, bytes, a
 * Blob or a stream), the answer as a `Response` whose headers and body the caller reads, and every
 * error answer turned into an {@link ApiProblem} from its `application/problem+json` body
 * (RFC 9457). The JSON client (api.js) is built on it; binary routes, such as tus uploads
 * (`application/offset+octet-stream`) and file downloads, use it directly.
 *
 * Every request sends the browser's cookie (`credentials: "same-origin"`). A request that gets no
 * HTTP answer rejects with an {@link ApiProblem} of status 0 (`network`); an aborted one rejects
 * with its signal's reason.
 *
 * @module http
 */

/** Where the API lives. */
export const API_BASE = "/api/v1";

/** The Accept value of a request that wants JSON, or a problem. */
export const JSON_ACCEPT = "application/json, application/problem+json";

const STATUS_TITLES = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  460: "Checksum Mismatch",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  507: "Insufficient Storage",
};

/**
 * @typedef {object} FieldError
 * @property {string} pointer a JSON pointer into the request body, such as "/name"
 * @property {string} detail
 */

/**
 * A failed API call, shaped like an RFC 9457 problem. `status` is 0 when no HTTP answer was had
 * (no network).
 */
export class ApiProblem extends Error {
  /**
   * @param {object} problem
   * @param {number} problem.status
   * @param {string} problem.title
   * @param {string} [problem.detail]
   * @param {string} [problem.type] the problem's `type` URI, such as "/problems/not-found"
   * @param {string} [problem.slug] its last segment; derived from `type` when not given
   * @param {string} [problem.instance]
   * @param {FieldError[]} [problem.errors]
   * @param {number | null} [problem.retryAfter] seconds, from a Retry-After header
   * @param {Headers | null} [problem.headers] the error answer's headers (a tus client reads
   *   `Upload-Offset` from a 409), null when there was no answer
   * @param {unknown} [cause]
   */
  constructor(
    {
      status,
      title,
      detail = "",
      type = "about:blank",
      slug,
      instance = "",
      errors = [],
      retryAfter = null,
      headers = null,
    },
    cause,
  ) {
    super(detail ? `${title}: ${detail}` : title, cause === undefined ? undefined : { cause });
    this.name = "ApiProblem";
    this.status = status;
    this.type = type;
    this.slug = slug ?? problemSlug(type);
    this.title = title;
    this.detail = detail;
    this.instance = instance;
    this.errors = errors;
    this.retryAfter = retryAfter;
    this.headers = headers;
  }

  /**
   * True when the request was refused because nobody is signed in (or the session ended):
   * the page should send the user to sign in. A 401 `wrong-password` is an answer about a form
   * field, not about the session, and is false here.
   */
  get unauthenticated() {
    return this.status === 401 && (this.slug === "unauthenticated" || this.slug === "");
  }
}

/**
 * The slug of a problem `type`: its last path segment ("/problems/not-found" → "not-found");
 * "" for "about:blank" or no type.
 * @param {unknown} type
 * @returns {string}
 */
export function problemSlug(type) {
  if (typeof type !== "string" || type === "" || type === "about:blank") return "";
  const path = type.split(/[?#]/)[0];
  const segments = path.split("/").filter((segment) => segment !== "");
  return segments.at(-1) ?? "";
}

/**
 * Seconds to wait from a Retry-After value: delay-seconds, or an HTTP date (counted from `now`).
 * @param {string | null} value
 * @param {number} [now] milliseconds since the epoch
 * @returns {number | null} null when absent or unreadable
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names its day and month; a bare number like "-5" is not one (Date.parse takes it as a year).
  const at = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The media type of a Content-Type value, lowercase and without parameters ("" when absent).
 * @param {string | null | undefined} contentType
 * @returns {string}
 */
export const mediaType = (contentType) => (contentType ?? "").split(";")[0].trim().toLowerCase();

/**
 * Whether a media type is JSON: `application/json` or any `+json` type (problems are).
 * @param {string} type a media type, as {@link mediaType} returns it
 */
export const isJSONMediaType = (type) => type === "application/json" || type.endsWith("+json");

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads an answer's body as JSON: `empty` when there is none, `value` its JSON (undefined when
 * the body is not JSON, by its Content-Type or its text). An unreadable body counts as missing.
 * @param {Response} response
 * @returns {Promise<{ empty: boolean, value: unknown }>}
 */
export async function readJSONBody(response) {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // An unreadable body is handled as a missing one.
  }
  if (text === "" || !isJSONMediaType(mediaType(response.headers.get("content-type")))) {
    return { empty: text === "", value: undefined };
  }
  try {
    return { empty: false, value: JSON.parse(text) };
  } catch {
    return { empty: false, value: undefined };
  }
}

/**
 * Builds the problem for an error answer, filling what its body lacks from the HTTP status.
 * @param {Response} response
 * @param {unknown} body the answer's parsed JSON, if it had any
 * @returns {ApiProblem}
 */
export function problemFromResponse(response, body) {
  const problem = isObject(body) ? body : {};
  const fallbackTitle = STATUS_TITLES[response.status] ?? (response.statusText || `HTTP error ${response.status}`);
  const errors = Array.isArray(problem.errors)
    ? problem.errors
        .filter((error) => isObject(error) && typeof error.detail === "string")
        .map((error) => ({
          pointer: typeof error.pointer === "string" ? error.pointer : "",
          detail: /** @type {string} */ (error.detail),
        }))
    : [];
  return new ApiProblem({
    status: response.status,
    type: typeof problem.type === "string" ? problem.type : "about:blank",
    title: typeof problem.title === "string" && problem.title ? problem.title : fallbackTitle,
    detail:
      typeof problem.detail === "string"
        ? problem.detail
        : isObject(body)
          ? ""
          : `The server answered with HTTP status ${response.status}.`,
    instance: typeof problem.instance === "string" ? problem.instance : "",
    errors,
    retryAfter: parseRetryAfter(response.headers.get("retry-after")),
    headers: response.headers,
  });
}

/**
 * The problem of an error answer, its body read (a body that is not a problem still gives one,
 * from the status).
 * @param {Response} response
 * @returns {Promise<ApiProblem>}
 */
export async function readProblem(response) {
  const { value } = await readJSONBody(response);
  return problemFromResponse(response, value);
}

/**
 * Whether a body is a stream, which `fetch` sends only half-duplex (`duplex: "half"`).
 * @param {unknown} body
 */
const isStream = (body) => typeof ReadableStream !== "undefined" && body instanceof ReadableStream;

/**
 * @typedef {object} SendOptions
 * @property {Record<string, string>} [headers] sent as they are (Content-Type included: a body
 *   is sent as given, never converted)
 * @property {BodyInit | null} [body] a string, bytes, a Blob or a ReadableStream
 * @property {AbortSignal} [signal] aborting rejects with the signal's reason, not an ApiProblem
 * @property {(status: number) => boolean} [accept] which statuses are answers rather than
 *   problems; default: 2xx. A tus `HEAD` may want its 404 as an answer, say.
 */

/**
 * Creates the raw client.
 *
 * @param {object} [options]
 * @param {typeof fetch} [options.fetch] the `fetch` to use (tests pass a fake)
 * @param {string} [options.base] the API's base path or URL
 */
export function createHttp({ fetch: fetchImpl = (input, init) => globalThis.fetch(input, init), base = API_BASE } = {}) {
  const root = base.replace(/\/+$/, "");

  /**
   * One request. Resolves with the `Response` of an accepted status, its body unread; rejects
   * with the {@link ApiProblem} of any other (its body read), of no answer (status 0), or with
   * the signal's reason when aborted.
   * @param {string} method
   * @param {string} path below the base, starting with "/"
   * @param {SendOptions} [options]
   * @returns {Promise<Response>}
   * @throws {ApiProblem}
   */
  async function send(method, path, { headers = {}, body, signal, accept = (status) => status >= 200 && status < 300 } = {}) {
    /** @type {RequestInit & { duplex?: "half" }} */
    const init = { method, headers: { ...headers }, credentials: "same-origin" };
    if (body !== undefined && body !== null) {
      init.body = body;
      if (isStream(body)) init.duplex = "half";
    }
    if (signal) init.signal = signal;
    let response;
    try {
      response = await fetchImpl(root + path, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ApiProblem(
        {
          status: 0,
          slug: "network",
          title: "Network error",
          detail: "The server could not be reached. Check the connection and try again.",
        },
        error,
      );
    }
    if (accept(response.status)) return response;
    throw await readProblem(response);
  }

  return { send, base: root };
}

/** @typedef {ReturnType<typeof createHttp>} Http */
