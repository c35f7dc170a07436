/**
 * Tiny DOM helpers for the feature modules: elements are built with properties and
 * `textContent`, never from HTML strings (the CSP and the rule: nothing received is parsed).
 *
 * @module app/dom
 */

/**
 * @param {Document} document
 * @param {string} id
 * @returns {any}
 */
export function byId(document, id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}.`);
  return element;
}

/**
 * An element with a class, attributes and children (strings become text nodes).
 * @param {Document} document
 * @param {string} tag
 * @param {{ className?: string, text?: string, attrs?: Record<string, string>, dataset?: Record<string, string> }} [props]
 * @param {Array<Node | string>} [children]
 * @returns {any}
 */
export function el(document, tag, props = {}, children = []) {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.dataset ?? {})) element.dataset[name] = value;
  element.append(...children);
  return element;
}

/**
 * Copies text to the clipboard; false when the browser refuses.
 * @param {any} navigator
 * @param {string} text
 */
export async function copyText(navigator, text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Web Storage area, or null where the browser refuses it (reading the property can throw, for
 * instance with storage blocked for the site).
 * @param {"localStorage" | "sessionStorage"} name
 * @param {any} [scope] the window
 * @returns {Storage | null}
 */
export function storageOrNull(name, scope = globalThis) {
  try {
    return scope?.[name] ?? null;
  } catch {
    return null;
  }
}

/**
 * "Show" boxes of password fields: a checkbox with `data-shows="ID"` shows the field's text while
 * it is ticked (a typo in a drop's password cannot be undone: nobody could open the drop).
 * @param {Document} document
 */
export function wireShowPassword(document) {
  for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("input[type=checkbox][data-shows]"))) {
    const field = /** @type {HTMLInputElement | null} */ (document.getElementById(box.dataset.shows ?? ""));
    if (!field) continue;
    box.closest("label")?.removeAttribute("hidden");
    box.addEventListener("change", () => {
      field.type = box.checked ? "text" : "password";
    });
  }
}
