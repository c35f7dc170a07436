/**
 * The little script the server-rendered pages (account, team, users) have; without it they work
 * as before.
 * - "Copy" buttons (a new invite link, a new API token, shown once): a button with `data-copy`
 *   naming a field copies its value and says so in the element `data-copy-status` names. The
 *   buttons are hidden until this module runs.
 * - Forms whose effect cannot be undone from the page (removing a member, revoking an invite or a
 *   token, disabling a user) carry `data-confirm`: the question is asked before they are sent.
 * - A page that shows a secret once is the answer to a POST (docs/PAGES.md, "Secrets shown
 *   once"); its secret's section names the page's own address in `data-reload-url`, and the
 *   history entry is replaced by that address, so reloading the page (or coming back to it) shows
 *   the page without the secret instead of sending the form again and making a second token or
 *   invite.
 * - A refused form's error box (`#form-error`) takes the focus when the page loads.
 * - Times (`<time datetime>`, rendered in UTC for pages without script) are shown in the reader's
 *   time zone and locale, as the app's own pages show them (format.js, `formatDateTime`); the
 *   UTC text stays as the element's title.
 *
 * @module page-actions
 */

import { copyText } from "./app/dom.js";
import { formatDateTime } from "./format.js";

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

// A refused form comes back with its error at the top of the page: the focus goes there, so a
// keyboard or screen reader user starts with what to fix (a page that puts it on a field itself,
// with `autofocus`, keeps that).
const formError = document.getElementById("form-error");
if (formError && !document.querySelector("[autofocus]")) {
  formError.tabIndex = -1;
  formError.focus();
}

for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (document.querySelectorAll("form[data-confirm]"))) {
  form.addEventListener("submit", (event) => {
    if (!confirm(form.dataset.confirm ?? "Are you sure?")) event.preventDefault();
  });
}

const reloadAs = /** @type {HTMLElement | null} */ (document.querySelector("[data-reload-url]"))?.dataset.reloadUrl;
// Only a path of this site: the attribute comes from the server's own template.
if (reloadAs?.startsWith("/") && !reloadAs.startsWith("//")) history.replaceState(history.state, "", reloadAs);

for (const time of /** @type {NodeListOf<HTMLTimeElement>} */ (document.querySelectorAll("time[datetime]"))) {
  const local = formatDateTime(time.dateTime);
  if (!local) continue;
  time.title = time.textContent ?? "";
  time.textContent = local;
}
