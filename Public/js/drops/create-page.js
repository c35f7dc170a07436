/**
 * The `/drops` page: pick files, a folder or type a text, choose expiry, a download limit and a
 * password, then encrypt and upload in workers (one file at a time), with progress, speed and
 * time left, pause and resume — also after a reload, by picking the same files again
 * (drops/pending.js). The link that comes out carries the secret in its fragment; it is shown
 * with a copy button and a QR code, and kept in this browser for the owner's list
 * (drops/owner-list.js).
 *
 * @module drops/create-page
 */

import "../secure-context.js";
import { byId, copyText, el, wireShowPassword } from "../app/dom.js";
import { encodeQr, qrSvg } from "../app/qr.js";
import { HANDED_TEXT_KEY, filesFromDrop } from "../app/send.js";
import { formatBytes, formatDuration, listText, percent, plural } from "../format.js";
import { ProgressMeter } from "../transfer/progress.js";
import { fromBase64Url, toBase64Url } from "../trust/encoding.js";
import { createDropsApi } from "./drops-api.js";
import { idbStore } from "./idb.js";
import { MIN_PASSWORD_ITERATIONS, deriveDropKeys, newSecret } from "./keys.js";
import { sealMetadata } from "./metadata.js";
import { describePlan, planDrop } from "./pending.js";
import { encodedLength } from "./sizes.js";
import { limitProblems, metadataFits, metadataProblem } from "./limits.js";
import { MAX_THUMBNAILS, makeThumbnail } from "./thumbnails.js";
import { createTus } from "./tus.js";
import { createHttp } from "../http.js";
import { ownerList, reachText } from "./owner-list.js";

const $ = (/** @type {string} */ id) => byId(document, id);
const api = createDropsApi();
const tus = createTus(createHttp());
const pending = idbStore("pending");
const owned = idbStore("owned");
const random = (/** @type {number} */ n) => crypto.getRandomValues(new Uint8Array(n));

/** @type {Array<{ path: string, file: File }>} */
let entries = [];
/** @type {Worker | null} */
let worker = null;
let paused = false;
/** A drop is being made (see setBusy). */
let busy = false;
/** @type {(() => void) | null} */
let resume = null;

const list = ownerList({ api, owned, document, root: $("drop-list"), status: $("drop-list-status") });

function showError(/** @type {string} */ text) {
  $("drop-error").textContent = text;
}

function kind() {
  return /** @type {HTMLInputElement} */ (document.querySelector('input[name="kind"]:checked')).value;
}

/**
 * Takes picked files off the list (a file picked by mistake, or more than the server takes). The
 * focus goes to the Remove button now where the removed one was (its list is drawn anew), else to
 * the last one, else to "Choose files".
 * @param {(entry: { path: string }) => boolean} which
 */
function removePicked(which) {
  const at = entries.findIndex(which);
  entries = entries.filter((entry) => !which(entry));
  showError("");
  renderPicked();
  const buttons = $("drop-picked").querySelectorAll("button");
  /** @type {HTMLElement} */ (buttons[Math.min(at, buttons.length - 1)] ?? $("drop-pick-files")).focus();
}

function renderPicked() {
  const ul = $("drop-picked");
  ul.replaceChildren(
    ...entries.slice(0, 200).map(({ path, file }) => {
      const remove = el(document, "button", { className: "button button-small", text: "Remove", attrs: { type: "button", "aria-label": `Remove ${path}`, "data-testid": "drop-picked-remove" } });
      remove.disabled = busy;
      remove.addEventListener("click", () => removePicked((entry) => entry.path === path));
      return el(document, "li", { className: "drop-picked-item" }, [el(document, "span", { text: `${path} · ${formatBytes(file.size)}` }), remove]);
    }),
  );
  if (entries.length > 200) ul.append(el(document, "li", { text: `… and ${entries.length - 200} more` }));
  const total = entries.reduce((sum, entry) => sum + entry.file.size, 0);
  $("drop-picked-total").textContent = entries.length ? `${plural(entries.length, "file")}, ${formatBytes(total)}` : "";
  $("drop-picked-clear").hidden = entries.length < 2;
}

/** Adds files; a file already picked (same path) replaces the earlier one. @param {File[]} files */
function addFiles(files) {
  if (busy) return; // the pickers are disabled meanwhile; a drag onto the zone is not taken either
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  for (const file of files) {
    const path = /** @type {any} */ (file).webkitRelativePath || file.name;
    byPath.set(path, { path, file });
  }
  entries = [...byPath.values()];
  showError("");
  renderPicked();
}

/** While a drop is made its files stay as they were picked: no picking, no removing. */
function setBusy(/** @type {boolean} */ value) {
  busy = value;
  $("drop-create").disabled = busy;
  $("drop-pause").hidden = !busy;
  $("drops").dataset.state = busy ? "uploading" : "ready";
  for (const button of $("drop-files-part").querySelectorAll("button")) button.disabled = busy;
  // Discarding an unfinished upload while a drop is being made could delete the very uploads it
  // continues: the line waits until the drop is made or given up.
  $("drop-pending-hint").hidden = busy;
}

/** How far the upload got, as the progress line last said it ("17 % (7.9 MiB of 46 MiB)"). */
let reached = "";

/** Progress line: percent, bytes, speed and time left. @param {ProgressMeter} meter */
function showProgress(meter, /** @type {string} */ prefix = "") {
  const snap = meter.snapshot(performance.now());
  reached = `${percent(snap.done, snap.total)} % (${formatBytes(snap.done)} of ${formatBytes(snap.total)})`;
  $("drop-progress").hidden = false;
  $("drop-progress-bar").value = snap.fraction;
  const parts = [`${prefix}${percent(snap.done, snap.total)} %`, `${formatBytes(snap.done)} of ${formatBytes(snap.total)}`];
  if (snap.bytesPerSecond) parts.push(`${formatBytes(Math.round(snap.bytesPerSecond))}/s`);
  if (snap.etaMs !== null && snap.done < snap.total) parts.push(`${formatDuration(snap.etaMs)} left`);
  $("drop-progress-text").textContent = parts.join(" · ");
}

/**
 * Uploads one file in the worker; resolves when the server has all of it.
 * @param {{ path: string, file: File }} entry
 * @param {{ salt: Uint8Array, ikm: Uint8Array, upload: string }} target
 * @param {(offset: number) => void} onOffset
 * @returns {Promise<{ resumedFrom: number }>}
 */
function uploadInWorker(entry, target, onOffset) {
  worker ??= new Worker(import.meta.resolve("./upload-worker.js"), { type: "module" });
  const current = worker;
  return new Promise((resolve, reject) => {
    current.onmessage = (event) => {
      const message = event.data;
      if (message.type === "progress") onOffset(message.offset);
      else if (message.type === "done") resolve({ resumedFrom: message.resumedFrom });
      else if (message.type === "error") reject(Object.assign(new Error(message.message), message));
    };
    current.postMessage({ op: "upload", file: entry.file, ikm: target.ikm, salt: target.salt, path: target.upload });
  });
}

/**
 * Makes the upload of every file that has none yet, before a byte is sent: the server holds each
 * upload's length against the quotas from its creation, so a drop over a quota is refused here,
 * not after its first files went up (to stay on the server and count against the quota). When one
 * is refused, the ones made here (empty) are deleted again, and a plan with nothing uploaded is
 * forgotten.
 * @param {import("./pending.js").PendingDrop} plan
 */
async function createUploads(plan) {
  const made = [];
  try {
    for (const record of plan.files) {
      if (record.upload !== null) continue;
      record.upload = await tus.create(record.length);
      made.push(record);
      // Recorded as it is made: a tab closed meanwhile leaves uploads "Discard" can still reach.
      await pending.put(plan);
    }
  } catch (error) {
    for (const record of made) {
      // Forgotten only once deleted: one that could not be is kept for "Discard" (or a resume).
      const removed = await tus.remove(/** @type {string} */ (record.upload)).then(() => true, () => false);
      if (removed) record.upload = null;
    }
    if (plan.files.some((file) => file.upload !== null)) await pending.put(plan);
    else await pending.delete(plan.selection).catch(() => {});
    const failure = /** @type {any} */ (error);
    if (failure?.slug === "quota-exceeded" && made.length > 0) {
      // The server's figure of what is left counted this drop's own first uploads, deleted since:
      // said for the whole drop instead.
      const need = plan.files.reduce((sum, file) => sum + file.length, 0);
      failure.detail = `These files need ${formatBytes(need)} encrypted: more than your storage quota has left (your drops and unfinished uploads count). Delete drops or discard unfinished uploads first.`;
    }
    throw error;
  }
}

/** Waits while paused; the Resume button resolves it. */
const waitWhilePaused = () => (paused ? new Promise((resolve) => (resume = () => resolve(undefined))) : Promise.resolve());

/**
 * The server's limits, or null from a server older than the route (it then checks them only
 * when the drop is made) or one that did not answer (the uploads will say why).
 * @returns {Promise<import("./limits.js").DropLimits | null>}
 */
async function readLimits() {
  try {
    return await api.limits();
  } catch {
    return null;
  }
}

/** @returns {Promise<{ uploads: string[], document: any, keys: any, secret: Uint8Array, password: any, selection: string | null }>} */
async function uploadFiles(password) {
  // The list as it was when the drop began: picking or removing files meanwhile makes a new list.
  const picked = entries;
  // What the server would refuse only after every upload is refused before the first.
  const limits = await readLimits();
  if (limits) {
    const ciphertextSize = picked.reduce((sum, { file }) => sum + encodedLength(file.size), 0);
    const problems = limitProblems({ fileCount: picked.length, ciphertextSize }, limits);
    if (problems.length > 0) throw new Error(problems.join(" "));
  }
  // Thumbnails first: they go into the sealed metadata, whose size is checked next.
  /** @type {Map<number, string>} */
  const thumbnails = new Map();
  let made = 0;
  for (let index = 0; index < picked.length && made < MAX_THUMBNAILS; index++) {
    const type = picked[index].file.type;
    if (!type.startsWith("image/") && !type.startsWith("video/")) continue;
    const thumbnail = await makeThumbnail(picked[index].file);
    if (thumbnail) {
      thumbnails.set(index, thumbnail);
      made++;
    }
  }
  const metadataWith = (/** @type {Map<number, string>} */ pictures, /** @type {string[]} */ salts) => ({
    v: 1,
    kind: "files",
    files: picked.map(({ path, file }, index) => ({
      path,
      type: file.type || "",
      size: file.size,
      salt: salts[index],
      ...(pictures.has(index) ? { thumbnail: pictures.get(index) } : {}),
    })),
  });
  // The sealed size, before anything is derived, stored or uploaded: the salts are random but
  // of one length, so stand-ins give the same size. Without the thumbnails when they are what does
  // not fit (they are a nicety); refused when the names alone do not.
  const standIns = picked.map(() => toBase64Url(new Uint8Array(16)));
  let pictures = thumbnails;
  let sized = metadataWith(pictures, standIns);
  if (!metadataFits(sized, limits) && pictures.size > 0) {
    pictures = new Map();
    sized = metadataWith(pictures, standIns);
  }
  if (!metadataFits(sized, limits)) throw new Error(metadataProblem(picked.length, sized, limits));

  const { plan, keys, resumed, stale } = await planDrop({
    store: pending,
    entries: picked,
    password,
    derive: deriveDropKeys,
    encodedLength,
    random,
    iterations: MIN_PASSWORD_ITERATIONS,
  });
  for (const upload of stale) await tus.remove(upload).catch(() => {});
  await createUploads(plan);
  const total = plan.files.reduce((sum, file) => sum + file.length, 0);
  const meter = new ProgressMeter(total);
  const doneBefore = new Array(plan.files.length).fill(0);
  // The same files picked with another password than their unfinished upload's: their ciphertext
  // was sealed with other keys, so it was given up and they start over — said, not silent.
  const prefix = resumed ? "Resuming · " : stale.length > 0 ? "Starting over (another password than the unfinished upload's) · " : "";
  $("drops").dataset.resumed = String(resumed);

  let skipped = 0;
  for (let index = 0; index < plan.files.length; index++) {
    const record = plan.files[index];
    for (let attempt = 0; ; attempt++) {
      await waitWhilePaused();
      if (record.upload === null) {
        record.upload = await tus.create(record.length);
        await pending.put(plan);
      }
      try {
        const { resumedFrom } = await uploadInWorker(picked[index], { salt: fromBase64Url(record.salt), ikm: keys.contentIKM, upload: record.upload }, (offset) => {
          doneBefore[index] = offset;
          meter.update(doneBefore.reduce((a, b) => a + b, 0), performance.now());
          showProgress(meter, prefix);
        });
        // What the server already had: shown for the curious and read by the tests.
        skipped += resumedFrom;
        $("drops").dataset.resumedBytes = String(skipped);
        break;
      } catch (error) {
        const failure = /** @type {any} */ (error);
        if (failure.paused) {
          meter.resetSpeed();
          continue; // waitWhilePaused holds until Resume, then HEAD finds the offset
        }
        if (failure.gone && attempt === 0) {
          record.upload = null; // expired or lost on the server: this file starts over
          continue;
        }
        throw error;
      }
    }
  }
  return {
    uploads: plan.files.map((file) => /** @type {string} */ (file.upload).split("/").at(-1)),
    document: metadataWith(pictures, plan.files.map((file) => file.salt)),
    keys,
    secret: fromBase64Url(plan.secret),
    password: plan.password,
    selection: plan.selection,
  };
}

async function textDrop(password) {
  const text = $("drop-text").value;
  const secret = newSecret();
  const params = password ? { password, salt: random(16), iterations: MIN_PASSWORD_ITERATIONS } : null;
  const keys = await deriveDropKeys(secret, params);
  return {
    uploads: [],
    document: { v: 1, kind: "text", text },
    keys,
    secret,
    password: params ? { salt: toBase64Url(params.salt), iterations: params.iterations } : null,
    selection: null,
  };
}

async function create() {
  showError("");
  reached = ""; // "Paused at …" is this drop's, not the last one's
  const password = $("drop-password").value;
  const maxField = /** @type {HTMLInputElement} */ ($("drop-max"));
  const maxText = maxField.value.trim();
  const maxDownloads = maxText === "" ? undefined : Number(maxText);
  // A number field the browser cannot parse ("5e") reads as "": that is not "no limit".
  if (maxField.validity.badInput || (maxDownloads !== undefined && !(Number.isSafeInteger(maxDownloads) && maxDownloads >= 1 && maxDownloads <= 1_000_000))) {
    return showError("Most downloads must be a whole number from 1 to 1,000,000, or empty.");
  }
  if (kind() === "files" && entries.length === 0) return showError("Choose files or a folder first.");
  if (kind() === "text" && $("drop-text").value.trim() === "") return showError("Type a text first.");
  setBusy(true);
  $("drop-progress-text").textContent = password ? "Deriving the key from the password…" : "Preparing…";
  $("drop-progress").hidden = false;
  try {
    const made = kind() === "files" ? await uploadFiles(password) : await textDrop(password);
    $("drop-progress-text").textContent = "Sealing the names and creating the link…";
    const metadata = await sealMetadata(made.keys.metadataKey, made.document);
    const drop = await api.create({
      verifier: toBase64Url(made.keys.proofVerifier),
      metadata: toBase64Url(metadata),
      files: made.uploads,
      ...(made.password ? { password: made.password } : {}),
      expiresIn: Number($("drop-expiry").value),
      ...(maxDownloads !== undefined ? { maxDownloads } : {}),
    });
    const link = `${location.origin}/d/${encodeURIComponent(drop.id)}#${toBase64Url(made.secret)}`;
    await owned.put({ id: drop.id, link, metadataKey: toBase64Url(made.keys.metadataKey), metadata: toBase64Url(metadata), createdAt: Date.now() });
    if (made.selection) await pending.delete(made.selection);
    await showPending(); // the line about it (if it continued one) is over
    showLink(link, reachText({ password: Boolean(made.password), maxDownloads, expiresAt: drop.expiresAt }));
    entries = [];
    renderPicked();
    $("drop-text").value = "";
    // The next drop starts from the defaults: a password or a limit is chosen anew, never inherited.
    $("drop-password").value = "";
    $("drop-max").value = "";
    for (const option of /** @type {HTMLSelectElement} */ ($("drop-expiry")).options) option.selected = option.defaultSelected;
    await list.refresh();
  } catch (error) {
    const failure = /** @type {any} */ (error);
    if (failure?.unauthenticated) location.assign(`/sign-in?next=${encodeURIComponent("/drops")}`);
    showError(failure?.detail || failure?.message || String(error));
    $("drop-progress").hidden = true;
    await showPending().catch(() => {}); // what was uploaded can continue (or nothing was kept)
  } finally {
    setBusy(false);
    paused = false;
    $("drop-pause").textContent = "Pause";
  }
}

function showLink(/** @type {string} */ link, /** @type {string} */ reachText) {
  $("drop-form").hidden = true;
  $("drop-result").hidden = false;
  $("drop-link").value = link;
  // A "Copied" left from the drop before would claim the new link is on the clipboard.
  $("drop-copy").textContent = "Copy";
  $("drop-reach").textContent = reachText;
  $("drop-result-title").focus(); // the form that had the focus is gone: say where we are
  const qr = $("drop-qr");
  try {
    qr.replaceChildren(qrSvg(document, encodeQr(link), "QR code of the link"));
  } catch {
    qr.replaceChildren(); // longer than the largest code app/qr.js makes: the link is still there
  }
}

// Events.
for (const radio of document.querySelectorAll('input[name="kind"]')) {
  radio.addEventListener("change", () => {
    $("drop-files-part").hidden = kind() !== "files";
    $("drop-text-part").hidden = kind() !== "text";
  });
}
// Buttons open the hidden pickers: a label around a hidden input cannot be reached by keyboard.
$("drop-pick-files").addEventListener("click", () => $("drop-file-input").click());
$("drop-pick-folder").addEventListener("click", () => $("drop-folder-input").click());
$("drop-picked-clear").addEventListener("click", () => removePicked(() => true));
$("drop-file-input").addEventListener("change", (/** @type {any} */ event) => {
  addFiles([...event.target.files]);
  event.target.value = "";
});
$("drop-folder-input").addEventListener("change", (/** @type {any} */ event) => {
  addFiles([...event.target.files]);
  event.target.value = "";
});
const zone = $("drop-zone");
zone.addEventListener("dragover", (/** @type {DragEvent} */ event) => {
  event.preventDefault();
  zone.classList.add("is-drop-target");
});
zone.addEventListener("dragleave", () => zone.classList.remove("is-drop-target"));
zone.addEventListener("drop", async (/** @type {DragEvent} */ event) => {
  event.preventDefault();
  zone.classList.remove("is-drop-target");
  addFiles(await filesFromDrop(event.dataTransfer));
});
$("drop-form").addEventListener("submit", (/** @type {Event} */ event) => {
  event.preventDefault();
  void create();
});
$("drop-pause").addEventListener("click", () => {
  if (!paused) {
    paused = true;
    worker?.postMessage({ op: "pause" });
    $("drop-pause").textContent = "Resume";
    $("drop-progress-text").textContent =
      `Paused${reached ? ` at ${reached}` : ""}. The server keeps what it has; you can also close this page and pick the same files later.`;
    $("drops").dataset.state = "paused";
  } else {
    paused = false;
    $("drop-pause").textContent = "Pause";
    $("drops").dataset.state = "uploading";
    resume?.();
  }
});
$("drop-copy").addEventListener("click", async () => {
  const ok = await copyText(navigator, $("drop-link").value);
  $("drop-copy").textContent = ok ? "Copied" : "Select and copy";
});
// The home page's direct text message (peer to peer, end-to-end encrypted) carries the link to
// an online member: the link waits in its message box until the user picks who gets it.
$("drop-send").addEventListener("click", () => {
  try {
    sessionStorage.setItem(HANDED_TEXT_KEY, $("drop-link").value);
  } catch {
    return;
  }
  location.assign("/");
});
$("drop-another").addEventListener("click", () => {
  $("drop-result").hidden = true;
  $("drop-form").hidden = false;
  $("drop-progress").hidden = true;
});

/** The server forgets unfinished uploads after a day without writes (uploadLifetime). */
const PENDING_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * One unfinished drop: which files to pick again (names and size, from this browser's record),
 * and "Discard" to give it up (its uploads are deleted on the server, its record here).
 * @param {import("./pending.js").PendingDrop} plan
 */
function pendingLine(plan) {
  const { paths, size } = describePlan(plan);
  const quoted = paths.map((path) => `“${path}”`);
  const what = quoted.length === 0 ? plural(plan.files.length, "file") : listText(quoted, { shown: 3, total: plan.files.length });
  const discard = el(document, "button", {
    className: "button button-small",
    text: "Discard",
    attrs: { type: "button", "data-testid": "drop-pending-discard", "aria-label": `Discard the unfinished upload of ${what}` },
  });
  discard.addEventListener("click", async () => {
    discard.disabled = true;
    for (const file of plan.files) if (file.upload) await tus.remove(file.upload).catch(() => {});
    await pending.delete(plan.selection).catch(() => {});
    await showPending();
  });
  return el(document, "span", { className: "drop-pending" }, [
    `An unfinished upload of ${what} (${formatBytes(size)}) can continue: choose the same files again and press “Encrypt and upload”. `,
    discard,
  ]);
}

/** Forgets plans the server has forgotten, and says when an unfinished drop can be continued. */
async function showPending() {
  try {
    const plans = await pending.all();
    const live = [];
    for (const plan of plans) {
      if (Date.now() - plan.createdAt > PENDING_LIFETIME_MS) await pending.delete(plan.selection);
      else live.push(plan);
    }
    $("drop-pending-hint").replaceChildren(...live.map(pendingLine));
  } catch {
    // IndexedDB unavailable (private mode in some browsers): no resuming, nothing to show.
  }
}

wireShowPassword(document);
$("drops").dataset.state = "ready";
void list.refresh();
void showPending();
