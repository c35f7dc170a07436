/**
 * The owner's list on `/drops`: the server's documents (sizes, expiry, counts, state — never a
 * name), with names decrypted here from what this browser kept when it made the drop (the
 * metadata key and the sealed metadata, drops/idb.js). A drop made in another browser shows as
 * "made elsewhere". Extend, revoke and delete ask first.
 *
 * @module drops/owner-list
 */

import { el } from "../app/dom.js";
import { formatBytes, plural } from "../format.js";
import { fromBase64Url } from "../trust/encoding.js";
import { openMetadata } from "./metadata.js";

/** How a drop's content is named in the list, from its metadata document. @param {any} document */
export function summary(document) {
  if (document.kind === "text") {
    const text = String(document.text ?? "");
    return `Text: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
  }
  const files = Array.isArray(document.files) ? document.files : [];
  if (files.length === 0) return "No files";
  const first = String(files[0].path ?? "");
  const top = first.includes("/") ? `${first.split("/")[0]}/` : first;
  return files.length === 1 ? top : `${top} and ${plural(files.length - 1, "more file")}`;
}

/**
 * @param {object} options
 * @param {ReturnType<typeof import("./drops-api.js").createDropsApi>} options.api
 * @param {ReturnType<typeof import("./idb.js").idbStore>} options.owned
 * @param {Document} options.document
 * @param {HTMLElement} options.root
 * @param {HTMLElement} options.status
 */
export function ownerList({ api, owned, document, root, status }) {
  /** @param {any} drop @param {any} kept */
  async function row(drop, kept) {
    let name = "Made elsewhere (the link's key is not in this browser)";
    let link = null;
    if (kept) {
      try {
        name = summary(await openMetadata(fromBase64Url(kept.metadataKey), fromBase64Url(kept.metadata)));
        link = kept.link;
      } catch {
        name = "Unreadable here";
      }
    }
    const counts = `${plural(drop.fileCount, "file")}, ${formatBytes(drop.size)} · ${drop.downloads}${drop.maxDownloads ? ` of ${drop.maxDownloads}` : ""} downloads`;
    const when = drop.state === "active" ? `expires ${new Date(drop.expiresAt).toLocaleString()}` : drop.state;
    const actions = el(document, "div", { className: "drop-actions" });
    const button = (/** @type {string} */ text, /** @type {string} */ testid, /** @type {() => Promise<void>} */ action, danger = false) => {
      const b = el(document, "button", { className: danger ? "button button-danger" : "button", text, attrs: { type: "button", "data-testid": testid } });
      b.addEventListener("click", async () => {
        b.disabled = true;
        try {
          await action();
          await refresh();
        } catch (error) {
          status.textContent = /** @type {any} */ (error)?.detail || String(error);
        } finally {
          b.disabled = false;
        }
      });
      actions.append(b);
    };
    if (link) {
      button("Copy link", "drop-row-copy", async () => {
        await navigator.clipboard.writeText(link).catch(() => {});
      });
    }
    if (drop.state === "active") {
      button("Extend 7 days", "drop-row-extend", async () => {
        const left = Math.max(0, (Date.parse(drop.expiresAt) - Date.now()) / 1000);
        await api.change(drop.id, { expiresIn: Math.min(30 * 86400, Math.round(left + 7 * 86400)) });
      });
      button("Revoke", "drop-row-revoke", async () => {
        if (confirm("Revoke this drop? The link stops working at once.")) await api.revoke(drop.id);
      }, true);
    }
    button("Delete", "drop-row-delete", async () => {
      if (!confirm("Delete this drop and its files now?")) return;
      await api.remove(drop.id);
      await owned.delete(drop.id);
    }, true);
    return el(document, "li", { className: "drop-row", attrs: { "data-testid": "drop-row" }, dataset: { id: drop.id, state: drop.state } }, [
      el(document, "span", { className: "drop-row-name", text: name, attrs: { "data-testid": "drop-row-name" } }),
      el(document, "span", { className: "drop-row-meta", text: `${counts} · ${when}`, attrs: { "data-testid": "drop-row-meta" } }),
      actions,
    ]);
  }

  async function refresh() {
    try {
      const drops = await api.list();
      const kept = new Map((await owned.all()).map((entry) => [entry.id, entry]));
      root.replaceChildren(...(await Promise.all(drops.map((drop) => row(drop, kept.get(drop.id))))));
      status.textContent = drops.length === 0 ? "No drops yet." : "";
    } catch (error) {
      const failure = /** @type {any} */ (error);
      if (failure?.unauthenticated) location.assign(`/sign-in?next=${encodeURIComponent("/drops")}`);
      status.textContent = failure?.detail || String(error);
    }
  }

  return { refresh };
}
