/**
 * Sending: pick files, a folder (its structure kept through `webkitRelativePath`), or type a
 * text message, to the selected peers; and reading files out of a drop, folders included.
 *
 * @module app/send
 */

import { byId } from "./dom.js";
import { peerName } from "./model.js";
import { formatTime, plural } from "../format.js";

/** @param {import("./compose.js").AppContext} app */
export function sendFeature(app) {
  const { document } = app.env;
  const filesInput = byId(document, "pick-files");
  const folderInput = byId(document, "pick-folder");
  const to = byId(document, "send-to");
  const form = byId(document, "text-form");
  const text = byId(document, "text-message");
  const dropZone = byId(document, "drop-zone");

  // Files picked before anyone was selected are shown while they wait, with a way to drop them.
  const held = byId(document, "send-held");
  const heldText = byId(document, "send-held-text");
  app.events.on("held", (/** @type {{ names: string[], until: number } | null} */ waiting) => {
    held.hidden = !waiting;
    if (!waiting) return;
    const what = waiting.names.length === 1 ? `“${waiting.names[0]}”` : plural(waiting.names.length, "file");
    const until = formatTime(new Date(waiting.until));
    heldText.textContent = `${what} will be offered to the next person you select under “Online now” (until ${until}).`;
  });
  byId(document, "send-held-drop").addEventListener("click", () => {
    app.dropHeld();
    app.status("Not sent: the picked files were let go.");
    byId(document, "pick-files-button").focus();
  });

  byId(document, "pick-files-button").addEventListener("click", () => filesInput.click());
  byId(document, "pick-folder-button").addEventListener("click", () => folderInput.click());
  for (const input of [filesInput, folderInput]) {
    input.addEventListener("change", async () => {
      const files = [...(input.files ?? [])];
      input.value = "";
      await app.sendFiles(files);
    });
  }
  // A text handed over by another page of this tab (the drops page's "Send to a team member"):
  // it waits in the box until the user picks who gets it and presses Send.
  const handed = takeHandedText(app.env.window?.sessionStorage);
  if (handed) {
    text.value = handed;
    text.focus();
    app.status("The link is in the text message box: select who gets it under “Online now”, then press “Send message”.");
  }
  form.addEventListener("submit", async (/** @type {Event} */ event) => {
    event.preventDefault();
    const ids = await app.sendText(text.value);
    if (ids.length > 0) text.value = "";
  });
  // The box stops at its maxlength: a longer paste is cut without a word from the browser, and the
  // end of the message would be lost unnoticed.
  text.addEventListener("paste", (/** @type {ClipboardEvent} */ event) => {
    const pasted = event.clipboardData?.getData("text") ?? "";
    const after = text.value.length - ((text.selectionEnd ?? 0) - (text.selectionStart ?? 0)) + pasted.length;
    if (text.maxLength > 0 && after > text.maxLength) {
      app.error(`The message is at its limit of ${text.maxLength.toLocaleString("en")} characters: the end of what you pasted was not taken. Send a longer text as a file.`);
    }
  });
  // Ctrl+Enter (⌘+Enter) sends, as in chat apps; Enter alone is a new line.
  text.addEventListener("keydown", (/** @type {KeyboardEvent} */ event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  dropZone.addEventListener("dragover", (/** @type {DragEvent} */ event) => {
    event.preventDefault();
    dropZone.classList.add("is-drop-target");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("is-drop-target"));
  dropZone.addEventListener("drop", async (/** @type {DragEvent} */ event) => {
    event.preventDefault();
    dropZone.classList.remove("is-drop-target");
    await app.sendFiles(await filesFromDrop(event.dataTransfer));
  });

  // A file dropped anywhere else would make the browser open it in place of the page.
  for (const type of ["dragover", "drop"]) document.addEventListener(type, (/** @type {DragEvent} */ event) => event.preventDefault());

  const describe = () => {
    const chosen = app.peers().filter((peer) => app.selection().has(peer.id));
    to.textContent =
      chosen.length === 0
        ? "Select people under “Online now”, or drop files onto one."
        : `To ${chosen.map((peer) => `${peerName(peer)} (${peer.device.name})`).join(", ")} · ${plural(chosen.length, "device")}`;
  };
  app.events.on("selection", describe);
  app.events.on("peers", describe);
  describe();
}

/** Where a page of this tab leaves a text for the home page's message box. */
export const HANDED_TEXT_KEY = "ferry-handed-text";

/**
 * Reads and forgets a handed-over text (null when there is none or storage is off).
 * @param {Storage | undefined} storage
 */
export function takeHandedText(storage) {
  try {
    const value = storage?.getItem(HANDED_TEXT_KEY) ?? null;
    storage?.removeItem(HANDED_TEXT_KEY);
    return value;
  } catch {
    return null;
  }
}

/**
 * The files of a drop. A dropped folder is walked (FileSystemEntry API) and each file gets its
 * path inside it as `webkitRelativePath`, as a folder pick would, so the structure is kept.
 * @param {DataTransfer | null} data
 * @returns {Promise<File[]>}
 */
export async function filesFromDrop(data) {
  if (!data) return [];
  const entries = [...data.items]
    .filter((item) => item.kind === "file")
    .map((item) => /** @type {any} */ (item).webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((entry) => entry === null)) return [...data.files];
  /** @type {File[]} */
  const files = [];
  /** @param {any} entry @param {string} prefix */
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      if (prefix) Object.defineProperty(file, "webkitRelativePath", { value: `${prefix}${file.name}` });
      files.push(/** @type {File} */ (file));
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = /** @type {any[]} */ (await new Promise((resolve, reject) => reader.readEntries(resolve, reject)));
      if (batch.length === 0) break; // readEntries returns at most 100 at a time
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const entry of entries) await walk(entry, "");
  return files;
}
