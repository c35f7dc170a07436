/**
 * Telling the user about an offer while the tab is hidden: a count in the title ("(1) Ferry")
 * until the tab is seen again, and a system notification when the user allowed them. Permission
 * is asked only from the "Notify me" button (a user gesture), never on load.
 *
 * @module app/notify
 */

import { byId } from "./dom.js";
import { badgedTitle, offerView } from "./model.js";

/** @param {import("./compose.js").AppContext} app */
export function notifyFeature(app) {
  const { document } = app.env;
  const window = app.env.window ?? globalThis;
  const button = byId(document, "notify-enable");
  const note = byId(document, "notify-state");
  const base = document.title;
  let unseen = 0;
  const Notification = window.Notification;

  const show = () => {
    const permission = Notification?.permission ?? "unsupported";
    button.hidden = permission !== "default";
    note.textContent =
      permission === "granted" ? "Notifications are on for offers that arrive while this tab is hidden." : permission === "denied" ? "Notifications are blocked in this browser’s settings." : permission === "unsupported" ? "" : "";
  };
  button.addEventListener("click", async () => {
    try {
      await Notification.requestPermission();
    } catch {
      // Older browsers take a callback; the state is read again below either way.
    }
    show();
  });

  app.events.on("offer", (offer) => {
    if (document.visibilityState !== "hidden") return;
    unseen++;
    document.title = badgedTitle(base, unseen);
    if (Notification?.permission === "granted") {
      const view = offerView(offer);
      try {
        const notification = new Notification(view.title, { body: view.isText ? "Text message" : `${view.count} · ${view.total}`, tag: `ferry-offer-${view.id}` });
        notification.onclick = () => window.focus();
      } catch {
        // Some browsers allow notifications only from a service worker; the title badge stays.
      }
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      unseen = 0;
      document.title = badgedTitle(base, 0);
    }
  });
  show();
}
