/**
 * "Copy" buttons of the server-rendered pages (a new invite link, a new API token, shown once): a
 * button with `data-copy` naming a field copies its value and says so in the element
 * `data-copy-status` names. The buttons are hidden until this module runs, so without script the
 * field is what it was: read-only and selectable.
 *
 * @module copy-field
 */

import { copyText } from "./app/dom.js";

for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll("button[data-copy]"))) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const field = /** @type {HTMLInputElement | null} */ (document.getElementById(button.dataset.copy ?? ""));
    const status = document.getElementById(button.dataset.copyStatus ?? "");
    if (!field) return;
    const copied = await copyText(navigator, field.value);
    if (!copied) field.select(); // refused (no permission, no secure context): select it for Ctrl+C
    if (status) status.textContent = copied ? "Copied." : "Copying was refused by the browser; the text is selected, press Ctrl+C.";
  });
}
