/**
 * Web addresses in a received text message, so the page can make them links the reader may
 * click (a drop's link sent to a colleague is the common case). Only http: and https: addresses
 * become links, each shown exactly as it was written (the link's text is its address, so nothing
 * hides where it goes); everything else stays text. Nothing is opened by itself.
 *
 * @module app/text-links
 */

/** An address as people write it: up to the next space or quote. */
const ADDRESS = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence after an address rather than belonging to it. */
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * The text cut into pieces of plain text and addresses, in order; joined they are the text.
 * @param {string} text
 * @returns {Array<{ text: string, url?: string }>}
 */
export function textSegments(text) {
  /** @type {Array<{ text: string, url?: string }>} */
  const segments = [];
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const start = match.index ?? 0;
    let candidate = match[0];
    // "(see https://x.example/a)" keeps its ")" unless the address opened one itself.
    const trailing = candidate.match(TRAILING)?.[0] ?? "";
    if (trailing) candidate = candidate.slice(0, candidate.length - trailing.length);
    if (trailing.startsWith(")") && candidate.includes("(")) candidate += ")";
    const url = safeUrl(candidate);
    if (!url) continue;
    if (start > at) segments.push({ text: text.slice(at, start) });
    segments.push({ text: candidate, url });
    at = start + candidate.length;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}

/**
 * The address as a link target, or null when it is not a well-formed http(s) URL.
 * @param {string} candidate
 */
function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
