/**
 * The `/d/{id}#secret` page: reads the secret from the fragment (the server never sees it),
 * asks for the password when the drop has one, says what opening costs when downloads are
 * limited, opens (the server counts one download and hands a ticket, kept in localStorage until it
 * expires, so neither a reload nor the link opened again in another tab counts again), decrypts
 * the metadata and shows the text (as text, never HTML) or the files with sanitised names, sizes and previews. Downloads run in a worker
 * (drops/download-worker.js): each file, one zip, or into a picked folder.
 *
 * @module drops/open-page
 */

import "../secure-context.js";
import { byId, copyText, el, wireShowPassword } from "../app/dom.js";
import { formatBytes, formatDateTime, formatDuration, percent, plural } from "../format.js";
import { ProgressMeter } from "../transfer/progress.js";
import { downloadName, dropZipName } from "../transfer/browser-files.js";
import { sanitizePath, uniquePaths } from "../transfer/names.js";
import { fromBase64Url, toBase64Url } from "../trust/encoding.js";
import { createDropsApi } from "./drops-api.js";
import { deriveDropKeys, SECRET_BYTES } from "./keys.js";
import { openMetadata } from "./metadata.js";
import { plaintextSize } from "./sizes.js";

const $ = (/** @type {string} */ id) => byId(document, id);
const api = createDropsApi();
const root = $("drop-open");
const OUT_DIRECTORY = "ferry-drops-out";

const id = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const TICKET_PREFIX = "ferry-drop-ticket:";
const ticketKey = `${TICKET_PREFIX}${id}`;

/**
 * A ticket kept in localStorage under `key`: `{ ticket, expiresAt }` (ms), or null when there is
 * none, it does not read, or storage is unavailable.
 * @param {string} key
 */
function storedTicket(key) {
  try {
    const kept = JSON.parse(localStorage.getItem(key) ?? "null");
    const expiresAt = Date.parse(kept?.expiresAt);
    return kept && Number.isFinite(expiresAt) ? { ticket: kept.ticket, expiresAt } : null;
  } catch {
    return null;
  }
}

/**
 * Tickets are kept per drop in localStorage (a closed tab must not have spent a download of a
 * drop the reader never got): those that expired, or do not read, go whenever a drop page loads.
 */
function forgetExpiredTickets() {
  try {
    for (let index = localStorage.length - 1; index >= 0; index--) {
      const key = localStorage.key(index);
      if (key?.startsWith(TICKET_PREFIX) && !((storedTicket(key)?.expiresAt ?? 0) > Date.now())) localStorage.removeItem(key);
    }
  } catch {
    // storage unavailable: tickets then last as long as the page
  }
}

/** @type {{ keys: any, ticket: string, files: any[] } | null} */
let opened = null;
/** OPFS outputs of this page, deleted when the page goes (or before the next download). */
const outputs = new Set();

function status(/** @type {string} */ text) {
  $("drop-open-status").textContent = text;
}
/**
 * Shows what went wrong. `retry`, for a failure a later try may not have (the server could not be
 * reached, or failed itself), is offered as "Try again", so the page needs no reload.
 * @param {string} text @param {string} [state] @param {(() => Promise<void>) | null} [retry]
 */
function fail(text, state = "error", retry = null) {
  $("drop-open-error").textContent = text;
  status("");
  root.dataset.state = state;
  const again = $("drop-open-retry");
  again.hidden = !retry;
  again.onclick = retry
    ? () => {
        again.hidden = true;
        $("drop-open-error").textContent = "";
        void retry();
      }
    : null;
}

/** A failure that may pass: the server unreachable (status 0) or failing (5xx). @param {any} error */
const mayPass = (error) => error?.status === 0 || error?.status >= 500;

/** The sentence for a refused request. @param {any} error */
function explain(error) {
  switch (error?.slug) {
    // What ended stays ended: the next step is a new link from whoever sent this one.
    case "drop-expired":
      return "This drop has expired. Ask whoever sent you the link for a new one.";
    case "drop-revoked":
      return "This drop was revoked by its owner. Ask them for a new link if you still need it.";
    case "drop-exhausted":
      return "This drop has no downloads left. Ask whoever sent you the link for a new one.";
    case "drop-proof-refused":
      return "This link does not open this drop: its part after “#” was changed or cut. Ask the sender for the whole link again.";
    default:
      // The server says which ways a drop can be gone (DropError+HTTP.swift); not written twice.
      if (error?.status === 404) return error?.detail || "There is no such drop.";
      if (error?.status === 429) return "Too many wrong attempts. Wait a few minutes and try again.";
      return error?.detail || error?.message || String(error);
  }
}

function secretFromLink() {
  try {
    const secret = fromBase64Url(location.hash.slice(1));
    return secret.length === SECRET_BYTES ? secret : null;
  } catch {
    return null;
  }
}

/** A kept ticket that has not expired, or null. */
function keptTicket() {
  const kept = storedTicket(ticketKey);
  return kept && kept.expiresAt > Date.now() + 60_000 ? kept.ticket : null;
}

/** What the drop is and until when (the first line the page shows), kept while it asks. */
let summary = "";
/** "expires …": still said once the drop is open (the reader may come back for the files). */
let expiry = "";

async function start() {
  const secret = secretFromLink();
  if (!id || !secret) return fail("This link is incomplete: the part after “#” is missing or cut off. Ask for the whole link.");
  let info;
  try {
    info = await api.describe(id);
  } catch (error) {
    return fail(explain(error), "error", mayPass(error) ? start : null);
  }
  // The server knows the ciphertext's length; what the reader gets is the plaintext's.
  const what = info.fileCount === 0 ? "A text" : `${plural(info.fileCount, "file")}, ${formatBytes(plaintextSize(info.size, info.fileCount))}`;
  expiry = `expires ${formatDateTime(info.expiresAt)}`;
  summary = `${what} · ${expiry}`;
  status(summary);
  // Used up: say so now rather than after a password and a click (a ticket of this tab still opens it).
  if (info.downloadsLeft === 0 && !keptTicket()) return fail(explain({ slug: "drop-exhausted" }));
  if (info.password) {
    root.dataset.password = "yes";
    root.dataset.state = "password";
    $("drop-password-form").hidden = false;
    $("drop-open-password").focus();
    $("drop-password-form").onsubmit = async (/** @type {Event} */ event) => {
      event.preventDefault();
      $("drop-unlock").disabled = true;
      $("drop-open-error").textContent = "";
      // Only the server can tell a wrong password (its proof is refused): it is asked now, which
      // counts nothing, before the page offers to spend a download.
      status("Deriving the key from the password…");
      try {
        const keys = await deriveDropKeys(secret, {
          password: $("drop-open-password").value,
          salt: fromBase64Url(info.password.salt),
          iterations: info.password.iterations,
        });
        status("Checking the password…");
        try {
          await api.check(id, toBase64Url(keys.proofToken));
        } catch (error) {
          if (/** @type {any} */ (error)?.slug === "drop-proof-refused") return wrongPassword();
          return fail(explain(error), "error", mayPass(error) ? start : null);
        }
        await confirmThenOpen(info, keys);
      } finally {
        $("drop-unlock").disabled = false;
      }
    };
    return;
  }
  await confirmThenOpen(info, await deriveDropKeys(secret));
}

/** Says what opening costs when downloads are limited, and opens on "Open". */
async function confirmThenOpen(info, keys) {
  const ticket = keptTicket();
  if (ticket || info.downloadsLeft === null || info.downloadsLeft === undefined) return open(keys, ticket);
  root.dataset.state = "confirm";
  $("drop-password-form").hidden = true;
  $("drop-open-confirm").hidden = false;
  $("drop-open-count").textContent =
    (info.password ? "Password accepted. " : "") +
    (info.downloadsLeft === 1 ? "Opening uses the last download this drop allows." : `Opening uses 1 of the ${info.downloadsLeft} downloads left.`);
  status(summary);
  $("drop-open-go").onclick = () => {
    $("drop-open-confirm").hidden = true;
    void open(keys, null);
  };
}

/** The password was refused: the page asks for it again; nothing was counted. */
function wrongPassword() {
  $("drop-open-confirm").hidden = true;
  $("drop-password-form").hidden = false;
  $("drop-open-error").textContent = "Wrong password. Nothing was used up: try again.";
  root.dataset.state = "password";
  status(summary);
  $("drop-open-password").select();
}

async function open(keys, ticket) {
  status("Opening…");
  let answer;
  try {
    answer = await api.open(id, toBase64Url(keys.proofToken), ticket);
  } catch (error) {
    const failure = /** @type {any} */ (error);
    // Back to the password: a refused proof counted no download (the password was checked
    // before, but the drop may have changed hands since: say it all the same).
    if (failure?.slug === "drop-proof-refused" && root.dataset.password === "yes") return wrongPassword();
    // Again from the start, not straight to `open`: had the lost answer been counted, the page
    // says how many downloads are left before the next try uses one.
    if (mayPass(error)) return fail(explain(error), "error", ticket ? () => open(keys, ticket) : start);
    if (ticket) localStorage.removeItem(ticketKey);
    return fail(explain(error));
  }
  try {
    localStorage.setItem(ticketKey, JSON.stringify({ ticket: answer.ticket, expiresAt: answer.ticketExpiresAt }));
  } catch {
    // storage full or refused: the ticket lasts as long as the page
  }
  let document_;
  try {
    document_ = await openMetadata(keys.metadataKey, fromBase64Url(answer.metadata));
  } catch {
    return fail("This drop is damaged: its description does not decrypt. Nothing was saved.", "damaged");
  }
  $("drop-password-form").hidden = true;
  $("drop-open-error").textContent = "";
  if (document_.kind === "text") return showText(String(document_.text ?? ""));
  const files = Array.isArray(document_.files) ? document_.files : [];
  if (files.length !== answer.files.length) return fail("This drop is damaged: its file list does not match the server's.", "damaged");
  // Unique, and a file never takes the name of a folder another file needs ("x" beside "x/y").
  const unique = uniquePaths(files.map((file, index) => sanitizePath(String(file.path ?? ""), `file-${index + 1}`)));
  opened = {
    keys,
    ticket: answer.ticket,
    files: files.map((file, index) => {
      const path = unique[index];
      return {
        index,
        path,
        size: Number(file.size),
        salt: fromBase64Url(String(file.salt ?? "")),
        length: Number(answer.files[index].size),
        thumbnail: typeof file.thumbnail === "string" && /^data:image\/(webp|png|jpeg);base64,[A-Za-z0-9+/=]+$/.test(file.thumbnail) ? file.thumbnail : null,
      };
    }),
  };
  showFiles(opened.files);
}

function showText(/** @type {string} */ text) {
  root.dataset.state = "text";
  status(`A text · ${expiry}`);
  $("drop-text-view").hidden = false;
  $("drop-text-content").textContent = text; // text, never markup
  $("drop-text-copy").onclick = async () => {
    $("drop-text-copy").textContent = (await copyText(navigator, text)) ? "Copied" : "Select and copy";
  };
}

function showFiles(/** @type {any[]} */ files) {
  root.dataset.state = "files";
  $("drop-files-view").hidden = false;
  const total = files.reduce((sum, file) => sum + file.size, 0);
  status(`${plural(files.length, "file")}, ${formatBytes(total)} · ${expiry}`);
  $("drop-files").replaceChildren(
    ...files.map((file) =>
      el(document, "li", { className: "drop-file", attrs: { "data-testid": "drop-file" } }, [
        ...(file.thumbnail ? [el(document, "img", { className: "drop-thumb", attrs: { src: file.thumbnail, alt: "", width: "80", "data-testid": "drop-thumb" } })] : []),
        el(document, "span", { className: "drop-file-name", text: file.path, attrs: { "data-testid": "drop-file-name" } }),
        el(document, "span", { className: "drop-file-size", text: formatBytes(file.size) }),
        // One file of several, without the rest: the same download, of this file alone.
        ...(files.length > 1 ? [fileButton(file)] : []),
      ]),
    ),
  );
  if (files.length < 2) {
    $("drop-download-zip").hidden = true;
    $("drop-download-all").textContent = "Download";
  }
  if ("showDirectoryPicker" in window) $("drop-save-folder").hidden = false;
}

/** A "Download" button for one file of the drop. @param {any} file */
function fileButton(file) {
  const button = el(document, "button", {
    className: "button button-small drop-file-download",
    text: "Download",
    attrs: { type: "button", "aria-label": `Download ${file.path}`, "data-testid": "drop-file-download" },
  });
  button.addEventListener("click", () => void download("each", undefined, [file]));
  return button;
}

/** Every button that starts a download: one runs at a time. */
const downloadButtons = () => [
  ...["drop-download-all", "drop-download-zip", "drop-save-folder"].map((name) => $(name)),
  .../** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll(".drop-file-download")),
];

async function clearOutputs() {
  try {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
    for (const name of outputs) await dir.removeEntry(name).catch(() => {});
    outputs.clear();
  } catch {
    // nothing to clear
  }
}

/** Offers an OPFS output as a download. @param {string} name @param {string} downloadAs */
async function offer(name, downloadAs) {
  outputs.add(name);
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY);
  const file = await (await dir.getFileHandle(name)).getFile();
  const url = URL.createObjectURL(file);
  const link = el(document, "a", { text: downloadAs, attrs: { href: url, download: downloadAs, rel: "noopener", "data-testid": "drop-saved-link" } });
  $("drop-saved").append(el(document, "li", {}, [link]));
  link.click();
}

/**
 * Runs one download job in a worker.
 * @param {"each" | "zip" | "folder"} mode
 * @param {FileSystemDirectoryHandle} [folder]
 * @param {any[]} [only] these files of the drop (default: all)
 */
async function download(mode, folder, only) {
  if (!opened) return;
  const files = only ?? opened.files;
  for (const button of downloadButtons()) button.disabled = true;
  $("drop-open-error").textContent = "";
  root.dataset.state = "downloading";
  if (!only) $("drop-saved").replaceChildren();
  $("drop-download-progress").textContent = "Starting…";
  // One file alone adds to what was saved (an earlier file's download may still read its output).
  if (!only) await clearOutputs();
  const worker = new Worker(import.meta.resolve("./download-worker.js"), { type: "module" });
  let resumedBytes = 0;
  const meter = new ProgressMeter(files.reduce((sum, file) => sum + file.size, 0));
  const zipName = dropZipName(opened.files.map((file) => file.path));
  /** Files saved into the folder under another name than the drop's (the name was taken there). */
  const renamed = [];
  await new Promise((resolve) => {
    // The worker's script is fetched only now: the server may be unreachable, or updated since the
    // page loaded (its files then have other names). Without this the page would say "Starting…"
    // for ever with every button disabled.
    let heard = false;
    worker.onerror = (event) => {
      event.preventDefault();
      $("drop-open-error").textContent = heard
        ? `The download stopped: the downloader failed (${event.message || "an error"}). Try again (the link still works).`
        : "The download could not start: this page could not load its downloader from the server. Check the connection, reload the page and try again (the link still works).";
      $("drop-download-progress").textContent = "";
      root.dataset.state = "error";
      resolve(undefined);
    };
    worker.onmessage = async (event) => {
      heard = true;
      const message = event.data;
      if (message.type === "progress") {
        root.dataset.doneBytes = String(message.done);
        meter.update(message.done, performance.now());
        const snap = meter.snapshot(performance.now());
        const parts = [`${percent(message.done, message.total)} %`, `${formatBytes(message.done)} of ${formatBytes(message.total)}`];
        if (snap.bytesPerSecond) parts.push(`${formatBytes(Math.round(snap.bytesPerSecond))}/s`);
        if (snap.etaMs !== null && message.done < message.total) parts.push(`${formatDuration(snap.etaMs)} left`);
        $("drop-download-progress").textContent = parts.join(" · ");
      } else if (message.type === "resumed") {
        resumedBytes += message.bytes;
        root.dataset.resumedBytes = String(resumedBytes);
      } else if (message.type === "file-done") {
        if (mode === "each") await offer(message.name, downloadName(message.path));
        if (mode === "folder" && message.name !== message.path) renamed.push(message.name);
      } else if (message.type === "all-done" || message.type === "zip-done") {
        if (message.type === "zip-done") await offer(message.name, zipName);
        const kept =
          renamed.length === 0
            ? ""
            : ` ${renamed.length === 1 ? "A file" : `${renamed.length} files`} of the same name already there ${renamed.length === 1 ? "was" : "were"} kept; saved as ${renamed.map((name) => `“${name}”`).join(", ")}.`;
        $("drop-download-progress").textContent = mode === "folder" ? `Saved into the folder.${kept}` : "Done.";
        root.dataset.state = "done";
        resolve(undefined);
      } else if (message.type === "error") {
        $("drop-open-error").textContent = message.damaged
          ? `Damaged: ${message.message.replace(/^damaged: /, "")}. The file was not saved.`
          : `The download stopped: ${explain(message)}`;
        $("drop-download-progress").textContent = "";
        root.dataset.state = message.damaged ? "damaged" : "error";
        resolve(undefined);
      }
    };
    worker.postMessage({
      op: "download",
      id,
      proof: toBase64Url(opened.keys.proofToken),
      ticket: opened.ticket,
      ikm: opened.keys.contentIKM,
      files: files.map(({ index, path, size, salt, length }) => ({ index, path, size, salt, length })),
      mode,
      folder,
    });
  });
  worker.terminate();
  for (const button of downloadButtons()) button.disabled = false;
}

$("drop-download-all").addEventListener("click", () => void download("each"));
$("drop-download-zip").addEventListener("click", () => void download("zip"));
$("drop-save-folder").addEventListener("click", async () => {
  let folder;
  try {
    folder = await /** @type {any} */ (window).showDirectoryPicker({ mode: "readwrite" });
  } catch {
    return; // cancelled
  }
  await download("folder", folder);
});
window.addEventListener("pagehide", () => void clearOutputs());

/** Outputs are kept for a resume as long as a ticket lives (24 hours); older ones are swept. */
const STALE_OUTPUT_MS = 24 * 60 * 60 * 1000;
async function sweepStaleOutputs() {
  try {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
    for await (const [name, handle] of /** @type {any} */ (dir).entries()) {
      try {
        if (Date.now() - (await handle.getFile()).lastModified > STALE_OUTPUT_MS) await dir.removeEntry(name);
      } catch {
        // in use by another tab
      }
    }
  } catch {
    // no OPFS here
  }
}
void sweepStaleOutputs();

wireShowPassword(document);
// The key is in the fragment, which changes without loading the page: someone who pastes the whole
// link over a cut one (or another drop's link) into this tab must get that link, not the page the
// old one made. Only another well-formed key counts: the layout's "Skip to content" (#main) changes
// the fragment too. A download under way is not thrown away for it.
const openedWith = location.hash;
// Here the fragment is the key: "Skip to content" moves the focus without replacing it with #main.
document.querySelector(".skip-link")?.addEventListener("click", (/** @type {Event} */ event) => {
  event.preventDefault();
  document.getElementById("main")?.focus();
});
window.addEventListener("hashchange", () => {
  if (location.hash !== openedWith && secretFromLink() !== null && root.dataset.state !== "downloading") location.reload();
});
forgetExpiredTickets();
void start();
