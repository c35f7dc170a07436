/**
 * Says so on a page the browser does not trust as secure: plain http on any address other than
 * localhost. There the browser withholds what Ferry's pages need (WebCrypto for keys and
 * encryption, the origin private file system), so they would fail with errors that do not say
 * why. Imported for its effect by the pages that need them (sharing, pairing, drops); it unhides
 * the layout's `#insecure-context` note.
 *
 * @module secure-context
 */

if (typeof document !== "undefined" && globalThis.isSecureContext === false) {
  const note = document.getElementById("insecure-context");
  if (note) note.hidden = false;
}
