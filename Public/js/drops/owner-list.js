/**
 * The owner's list on `/drops`: the server's documents (sizes, expiry, counts, state — never a
 * name), with names decrypted here from what this browser kept when it made the drop (the
 * metadata key and the sealed metadata, drops/idb.js). A drop made in another browser shows as
 * "made elsewhere". Extend, revoke and delete ask first.
 *
 * @module drops/owner-list
 */

import { copyText, el } from "../app/dom.js";
import { formatBytes, formatDateTime, plural } from "../format.js";
import { fromBase64Url } from "../trust/encoding.js";
import { openMetadata } from "./metadata.js";
import { plaintextSize } from "./sizes.js";

/** How a drop's content is named in the list, from its metadata document. @param {any} document */
export function summary(document) {
  // A text may be a secret (a password, a door code): the list, often on a shared screen, names
  // it by its length; the text itself is behind "Show".
  if (document.kind === "text") return `Text, ${plural([...String(document.text ?? "")].length, "character")}`;
  const files = Array.isArray(document.files) ? document.files : [];
  if (files.length === 0) return "No files";
  // Top-level entries: a folder is one entry, however many files it holds.
  const tops = [...new Set(files.map((file) => {
    const path = String(file.path ?? "");
    return path.includes("/") ? `${path.split("/")[0]}/` : path;
  }))];
  const others = tops.length > 1 ? ` and ${tops.length - 1} more` : "";
  return `${tops[0]}${others}${files.length > tops.length ? ` · ${plural(files.length, "file")}` : ""}`;
}

/**
 * The server's figures of a drop: files (or text), size, downloads.
 * @param {any} drop
 * @param {{ textNamed?: boolean }} [options] the row's name already says it is a text
 */
export function counts(drop, { textNamed = false } = {}) {
  const content = drop.fileCount === 0 ? (textNamed ? "" : "text") : `${plural(drop.fileCount, "file")}, ${formatBytes(plaintextSize(drop.size, drop.fileCount))}`;
  const downloads = drop.maxDownloads ? `${drop.downloads} of ${plural(drop.maxDownloads, "download")}` : plural(drop.downloads, "download");
  return content ? `${content} · ${downloads}` : downloads;
}

/** The longest a drop may live from now when the page does not say (the server's default limit). */
export const MAX_LIFETIME_S = 30 * 86400;
const EXTENSION_S = 7 * 86400;

/** "1 hour", "30 days", "90 minutes": the largest whole unit (as the page's expiry choices). @param {number} seconds */
export function lifetimeLabel(seconds) {
  const [size, name] = [[86400, "day"], [3600, "hour"], [60, "minute"]].find(([unit]) => seconds >= unit && seconds % unit === 0) ?? [1, "second"];
  return plural(seconds / /** @type {number} */ (size), /** @type {string} */ (name));
}

/**
 * What "Extend" does to a drop with `leftS` seconds to live, under the server's `maxS`: the new
 * `expiresIn` (null: nothing to do) and what to tell the user.
 * @param {number} leftS @param {number} maxS @param {number} [stepS]
 */
export function extension(leftS, maxS, stepS = EXTENSION_S) {
  const longest = lifetimeLabel(maxS);
  if (leftS >= maxS - 60) return { expiresIn: null, message: `This drop already lives as long as a drop may: ${longest} from now.` };
  const wanted = Math.round(leftS + stepS);
  if (wanted > maxS) return { expiresIn: maxS, message: `Extended to ${longest} from now, the longest a drop may live.` };
  return { expiresIn: wanted, message: `Extended by ${lifetimeLabel(stepS)}.` };
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
  // The server's maxDropLifetime, rendered into the page.
  const maxLifetimeS = Number(root.dataset.maxLifetime) > 0 ? Number(root.dataset.maxLifetime) : MAX_LIFETIME_S;
  /** @param {any} drop @param {any} kept */
  async function row(drop, kept) {
    // Without the key this browser cannot read the name: when it was made (and its size, in the
    // line below) says which drop it is.
    let name = `Made elsewhere, ${formatDateTime(drop.createdAt)}`;
    let link = null;
    /** A text drop's text, shown on demand. @type {string | null} */
    let text = null;
    if (kept) {
      try {
        const opened = await openMetadata(fromBase64Url(kept.metadataKey), fromBase64Url(kept.metadata));
        name = summary(opened);
        if (opened.kind === "text") text = String(opened.text ?? "");
        link = kept.link;
      } catch {
        name = "Unreadable here";
      }
    }
    // What each button's label names: the drop's name, or for one made elsewhere when it was made
    // and its size ("Delete: drop made elsewhere, 7 Dec 2026, 23:45, 2 files, 30 B · 0 downloads").
    const labelled = kept ? name : `drop made elsewhere, ${formatDateTime(drop.createdAt)}, ${counts(drop)}`;
    const when = drop.state === "active" ? `expires ${formatDateTime(drop.expiresAt)}` : drop.state === "exhausted" ? "used up" : drop.state;
    const actions = el(document, "div", { className: "drop-actions" });
    /** An action may return what to tell the user once the list is fresh. */
    const button = (/** @type {string} */ text, /** @type {string} */ testid, /** @type {() => Promise<string | void>} */ action, danger = false) => {
      // Said with the drop it acts on: a list of "Delete" buttons alone does not say which.
      const b = el(document, "button", { className: danger ? "button button-danger" : "button", text, attrs: { type: "button", "data-testid": testid, "aria-label": `${text}: ${labelled}` } });
      b.addEventListener("click", async () => {
        b.disabled = true;
        status.textContent = "";
        try {
          const said = await action();
          await refresh();
          if (said) status.textContent = said;
        } catch (error) {
          status.textContent = /** @type {any} */ (error)?.detail || String(error);
        } finally {
          b.disabled = false;
        }
      });
      actions.append(b);
    };
    if (link && drop.state === "active") {
      button("Copy link", "drop-row-copy", async () =>
        (await copyText(navigator, link)) ? "Link copied." : `Copying was refused by the browser; the link is ${link}`,
      );
    }
    // No "Extend" on a drop that already lives as long as a drop may: it could only say so.
    const leftS = () => Math.max(0, (Date.parse(drop.expiresAt) - Date.now()) / 1000);
    if (drop.state === "active" && extension(leftS(), maxLifetimeS).expiresIn !== null) {
      button(maxLifetimeS >= EXTENSION_S ? `Extend ${lifetimeLabel(EXTENSION_S)}` : "Extend to the longest", "drop-row-extend", async () => {
        const { expiresIn, message } = extension(leftS(), maxLifetimeS);
        if (expiresIn !== null) await api.change(drop.id, { expiresIn });
        return message;
      });
    }
    if (drop.state === "active") {
      button("Revoke", "drop-row-revoke", async () => {
        if (!confirm("Revoke this drop? The link stops working at once.")) return;
        await api.revoke(drop.id);
        return "Revoked: its link no longer opens it.";
      }, true);
    }
    button("Delete", "drop-row-delete", async () => {
      if (!confirm("Delete this drop and its files now?")) return;
      await api.remove(drop.id);
      await owned.delete(drop.id);
      return "Deleted, with its files.";
    }, true);
    return el(document, "li", { className: "drop-row", attrs: { "data-testid": "drop-row" }, dataset: { id: drop.id, state: drop.state } }, [
      el(document, "span", { className: "drop-row-name", text: name, attrs: { "data-testid": "drop-row-name" } }),
      el(document, "span", {
        className: "drop-row-meta",
        // When it was made tells alike drops apart (the name says it for a drop made elsewhere,
        // and where its name and link are).
        text: `${kept ? `made ${formatDateTime(drop.createdAt)} · ` : "name and link where it was made (ferry send or another browser) · "}${counts(drop, { textNamed: text !== null })}${drop.hasPassword ? " · password" : ""} · ${when}`,
        attrs: { "data-testid": "drop-row-meta" },
      }),
      ...(text === null
        ? []
        : [el(document, "details", { className: "drop-row-text", attrs: { "data-testid": "drop-row-text" } }, [
            el(document, "summary", { text: "Show the text" }),
            el(document, "pre", { className: "received-text", text }),
          ])]),
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

/**
 * Who can open the drop and for how long, as it was made: "Anybody with this link and its
 * password can open the drop 3 times in all, until 8 Dec 2026, 10:00."
 * @param {{ password: boolean, maxDownloads?: number, expiresAt?: string }} made
 */
export function reachText({ password, maxDownloads, expiresAt }) {
  const who = password ? "Anybody with this link and its password" : "Anybody with this link";
  const times = maxDownloads === undefined ? "" : ` ${maxDownloads === 1 ? "once" : `${maxDownloads} times in all`},`;
  const until = expiresAt ? formatDateTime(expiresAt) : "";
  return `${who} can open the drop${times} until ${until || "it expires"}.`;
}
