/**
 * Entry module of the first page: pick or drop files, hash them in a worker with progress,
 * post the digests and show the server's receipt.
 *
 * Everything the page shows is set with `textContent`, never parsed as HTML, so file names and
 * server messages cannot inject markup. Styling is done with classes and attributes only: the
 * Content-Security-Policy forbids inline styles and scripts.
 *
 * @module app
 */

import { formatBytes, formatDuration, formatInteger, percent, plural } from "./format.js";
import { ApiError, MAX_FILES, describePointer, submitDigests } from "./receipt-api.js";

/**
 * @typedef {object} Batch one selection of files, from picking to receipt
 * @property {File[]} files
 * @property {HTMLLIElement[]} rows
 * @property {(string | undefined)[]} digests local digests, by index
 * @property {number} totalBytes
 * @property {number} doneBytes bytes of the files already hashed
 * @property {number} startedAt
 * @property {Worker | null} worker
 * @property {AbortController} controller aborts the POST
 * @property {"hashing" | "sending" | "finished"} phase
 */

/**
 * @template {Element} T
 * @param {string} id
 * @returns {T}
 */
const byId = (id) => /** @type {T} */ (document.getElementById(id));

const ui = {
  input: /** @type {HTMLInputElement} */ (byId("file-input")),
  dropzone: byId("dropzone"),
  status: byId("status"),
  error: byId("error"),
  receipt: byId("receipt"),
  receiptId: byId("receipt-id"),
  receiptTime: /** @type {HTMLTimeElement} */ (byId("receipt-time")),
  receiptCount: byId("receipt-count"),
  receiptBytes: /** @type {HTMLDataElement} */ (byId("receipt-bytes")),
  batch: byId("batch"),
  cancel: /** @type {HTMLButtonElement} */ (byId("cancel")),
  overall: /** @type {HTMLProgressElement} */ (byId("overall-progress")),
  overallText: byId("overall-text"),
  list: byId("file-list"),
  rowTemplate: /** @type {HTMLTemplateElement} */ (byId("file-row")),
};

/** @type {Batch | null} */
let current = null;

/** @param {string} message */
function announce(message) {
  ui.status.textContent = message;
}

/**
 * Shows an error readably: title, status, detail and the field errors, each naming its file.
 * @param {ApiError | Error} error
 * @param {{ name: string }[]} [files] the files the error is about
 */
function showError(error, files = []) {
  const box = document.createElement("div");
  box.className = "alert-box";
  const title = document.createElement("h2");
  title.className = "alert-title";
  const isApi = error instanceof ApiError;
  title.textContent = isApi ? error.title : "Something went wrong";
  if (isApi && error.status > 0) {
    const code = document.createElement("span");
    code.className = "alert-status";
    code.textContent = `HTTP ${error.status}`;
    title.append(" ", code);
  }
  box.append(title);
  const detail = isApi ? error.detail : error.message;
  if (detail) {
    const paragraph = document.createElement("p");
    paragraph.textContent = detail;
    box.append(paragraph);
  }
  if (isApi && error.errors.length > 0) {
    const list = document.createElement("ul");
    for (const { pointer, detail: fieldDetail } of error.errors) {
      const item = document.createElement("li");
      const where = document.createElement("strong");
      where.textContent = describePointer(pointer, files);
      item.append(where, ` ${fieldDetail}`);
      list.append(item);
    }
    box.append(list);
  }
  ui.error.replaceChildren(box);
}

function clearError() {
  ui.error.replaceChildren();
}

/**
 * @param {HTMLLIElement} row
 * @param {"waiting" | "hashing" | "hashed" | "recorded" | "mismatch" | "cancelled" | "failed"} state
 * @param {string} text
 */
function setRowState(row, state, text) {
  row.dataset.state = state;
  /** @type {HTMLElement} */ (row.querySelector(".file-state")).textContent = text;
}

/**
 * @param {HTMLLIElement} row
 * @param {number} value 0…100
 */
function setRowProgress(row, value) {
  /** @type {HTMLProgressElement} */ (row.querySelector(".file-progress")).value = value;
}

/**
 * @param {File} file
 * @returns {HTMLLIElement}
 */
function renderRow(file) {
  const fragment = /** @type {DocumentFragment} */ (ui.rowTemplate.content.cloneNode(true));
  const row = /** @type {HTMLLIElement} */ (fragment.querySelector("li"));
  /** @type {HTMLElement} */ (row.querySelector(".file-name")).textContent = file.name;
  /** @type {HTMLElement} */ (row.querySelector(".file-size")).textContent = formatBytes(file.size);
  /** @type {HTMLElement} */ (row.querySelector(".file-progress")).setAttribute("aria-label", `Hashing ${file.name}`);
  setRowState(row, "waiting", "Waiting");
  return row;
}

/** @param {Batch} batch */
function updateOverall(batch, currentFileBytes = 0) {
  const value = percent(batch.doneBytes + currentFileBytes, batch.totalBytes);
  ui.overall.value = value;
  ui.overallText.textContent = `${value}%`;
}

/** @param {boolean} busy */
function setBusy(busy) {
  // Hiding a focused button would drop keyboard focus to the body; hand it to the picker instead.
  if (!busy && document.activeElement === ui.cancel) ui.input.focus();
  ui.cancel.hidden = !busy;
  ui.batch.setAttribute("aria-busy", String(busy));
}

/**
 * Starts a new batch, cancelling any batch still running.
 * @param {Iterable<File>} selection
 */
function start(selection) {
  const files = [...selection];
  if (files.length === 0) return;
  if (current && current.phase !== "finished") stop(current, "Replaced by a new selection.");
  clearError();
  ui.receipt.hidden = true;
  if (files.length > MAX_FILES) {
    ui.batch.hidden = true;
    announce("");
    showError(
      new ApiError({
        status: 0,
        title: "Too many files",
        detail: `Choose at most ${MAX_FILES} files at a time; ${files.length} were chosen.`,
      }),
    );
    return;
  }

  /** @type {Batch} */
  const batch = {
    files,
    rows: files.map(renderRow),
    digests: [],
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    doneBytes: 0,
    startedAt: performance.now(),
    worker: new Worker(import.meta.resolve("./hash-worker.js"), { type: "module" }),
    controller: new AbortController(),
    phase: "hashing",
  };
  current = batch;
  ui.list.replaceChildren(...batch.rows);
  ui.batch.hidden = false;
  updateOverall(batch);
  setBusy(true);
  announce(`Hashing ${plural(files.length, "file")} (${formatBytes(batch.totalBytes)})…`);

  batch.worker.addEventListener("message", (event) => onWorkerMessage(batch, event.data));
  batch.worker.addEventListener("error", (event) => {
    event.preventDefault();
    fail(batch, new Error(`The hashing worker failed${event.message ? `: ${event.message}` : "."}`));
  });
  batch.worker.postMessage({ files });
}

/**
 * @param {Batch} batch
 * @param {{ type: string, index?: number, bytes?: number, sha256?: string, message?: string }} message
 */
function onWorkerMessage(batch, message) {
  if (batch !== current || batch.phase !== "hashing") return;
  const index = message.index ?? 0;
  const file = batch.files[index];
  const row = batch.rows[index];
  switch (message.type) {
    case "progress": {
      const value = percent(message.bytes ?? 0, file.size);
      setRowProgress(row, value);
      setRowState(row, "hashing", `Hashing… ${value}%`);
      updateOverall(batch, message.bytes);
      break;
    }
    case "hashed": {
      batch.digests[index] = message.sha256;
      batch.doneBytes += file.size;
      setRowProgress(row, 100);
      setRowState(row, "hashed", "Hashed");
      const digest = /** @type {HTMLElement} */ (row.querySelector(".digest"));
      digest.textContent = message.sha256 ?? "";
      digest.hidden = false;
      updateOverall(batch);
      break;
    }
    case "done":
      finishHashing(batch);
      break;
    case "error":
      setRowState(row, "failed", "Could not be read");
      fail(batch, new Error(`“${file.name}” could not be read: ${message.message}`));
      break;
  }
}

/** @param {Batch} batch */
async function finishHashing(batch) {
  batch.worker?.terminate();
  batch.worker = null;
  batch.phase = "sending";
  const took = formatDuration(performance.now() - batch.startedAt);
  announce(`Hashed ${plural(batch.files.length, "file")} in ${took}. Sending the digests…`);
  const files = batch.files.map((file, index) => ({
    name: file.name,
    size: file.size,
    sha256: /** @type {string} */ (batch.digests[index]),
  }));
  try {
    const receipt = await submitDigests(files, { signal: batch.controller.signal });
    if (batch !== current) return;
    batch.phase = "finished";
    setBusy(false);
    showReceipt(batch, receipt);
  } catch (error) {
    if (batch !== current || batch.controller.signal.aborted) return;
    batch.phase = "finished";
    setBusy(false);
    announce("The server did not accept the digests.");
    showError(/** @type {Error} */ (error), files);
  }
}

/**
 * @param {Batch} batch
 * @param {import("./receipt-api.js").Receipt} receipt
 */
function showReceipt(batch, receipt) {
  ui.receiptId.textContent = receipt.receipt;
  ui.receiptTime.dateTime = receipt.receivedAt;
  const when = new Date(receipt.receivedAt);
  ui.receiptTime.textContent = Number.isNaN(when.getTime()) ? receipt.receivedAt : when.toLocaleString();
  ui.receiptCount.textContent = formatInteger(receipt.count);
  ui.receiptBytes.value = String(receipt.totalBytes);
  const exact = `${formatInteger(receipt.totalBytes)} ${receipt.totalBytes === 1 ? "byte" : "bytes"}`;
  ui.receiptBytes.textContent = receipt.totalBytes < 1024 ? exact : `${formatBytes(receipt.totalBytes)} (${exact})`;
  ui.receipt.hidden = false;

  let mismatches = 0;
  batch.rows.forEach((row, index) => {
    const recorded = receipt.files[index];
    if (recorded && recorded.sha256 === batch.digests[index] && recorded.size === batch.files[index].size) {
      setRowState(row, "recorded", "Recorded");
    } else {
      mismatches++;
      setRowState(row, "mismatch", "The server recorded something else");
    }
  });
  announce(
    mismatches === 0
      ? `Receipt received for ${plural(receipt.count, "file")}.`
      : `Receipt received, but ${plural(mismatches, "file")} did not match what was sent.`,
  );
}

/**
 * Stops a batch wherever it is: the worker is terminated and the POST aborted.
 * @param {Batch} batch
 * @param {string} message
 */
function stop(batch, message) {
  batch.worker?.terminate();
  batch.worker = null;
  batch.controller.abort();
  batch.phase = "finished";
  batch.rows.forEach((row, index) => {
    if (batch.digests[index] === undefined) setRowState(row, "cancelled", "Cancelled");
  });
  setBusy(false);
  announce(message);
}

/**
 * @param {Batch} batch
 * @param {Error} error
 */
function fail(batch, error) {
  if (batch !== current || batch.phase === "finished") return;
  stop(batch, "Hashing stopped.");
  showError(error, batch.files);
}

/** @param {DragEvent} event */
const carriesFiles = (event) => event.dataTransfer?.types.includes("Files") ?? false;

/** Wires the page's controls; does nothing on a page without the file picker. */
function wire() {
  ui.input.addEventListener("change", () => {
    const files = [...(ui.input.files ?? [])];
    ui.input.value = ""; // so that choosing the same files again starts again
    start(files);
  });

  ui.cancel.addEventListener("click", () => {
    if (current && current.phase !== "finished") stop(current, "Cancelled. Nothing was sent.");
  });

  for (const type of ["dragenter", "dragover"]) {
    ui.dropzone.addEventListener(type, (event) => {
      if (!carriesFiles(/** @type {DragEvent} */ (event))) return;
      event.preventDefault();
      ui.dropzone.classList.add("is-dragover");
    });
  }
  for (const type of ["dragleave", "dragend"]) {
    ui.dropzone.addEventListener(type, (event) => {
      const related = /** @type {DragEvent} */ (event).relatedTarget;
      if (!(related instanceof Node && ui.dropzone.contains(related))) ui.dropzone.classList.remove("is-dragover");
    });
  }
  ui.dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    ui.dropzone.classList.remove("is-dragover");
    start(/** @type {DragEvent} */ (event).dataTransfer?.files ?? []);
  });

  // A file dropped beside the drop zone must not make the browser open it: refuse the drop there.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      const drag = /** @type {DragEvent} */ (event);
      if (!carriesFiles(drag) || ui.dropzone.contains(/** @type {Node} */ (drag.target))) return;
      event.preventDefault();
      if (drag.dataTransfer) drag.dataTransfer.dropEffect = "none";
    });
  }
}

if (ui.input && ui.dropzone) wire();
