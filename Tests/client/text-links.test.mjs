// Addresses in a received text become links; the rest stays text, and nothing is lost.
import assert from "node:assert/strict";
import { test } from "node:test";

import { textSegments } from "../../Public/js/app/text-links.js";

const joined = (segments) => segments.map((segment) => segment.text).join("");

test("an address in a sentence is a link; the text around it stays text", () => {
  const text = "Lunch at 12? https://example.org/menu?day=mon#top see you";
  const segments = textSegments(text);
  assert.deepEqual(segments, [
    { text: "Lunch at 12? " },
    { text: "https://example.org/menu?day=mon#top", url: "https://example.org/menu?day=mon#top" },
    { text: " see you" },
  ]);
  assert.equal(joined(segments), text);
});

test("a drop link with its key in the fragment is kept whole", () => {
  const link = "http://127.0.0.1:8080/d/PdQhAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw";
  assert.deepEqual(textSegments(link), [{ text: link, url: link }]);
});

test("sentence punctuation after an address is not part of it; an address's own parentheses are", () => {
  assert.deepEqual(textSegments("See https://a.example/x."), [{ text: "See " }, { text: "https://a.example/x", url: "https://a.example/x" }, { text: "." }]);
  assert.deepEqual(textSegments("(https://a.example/y)"), [{ text: "(" }, { text: "https://a.example/y", url: "https://a.example/y" }, { text: ")" }]);
  const wiki = "https://en.wikipedia.org/wiki/Ferry_(boat)";
  assert.deepEqual(textSegments(wiki), [{ text: wiki, url: wiki }]);
});

test("only http and https become links; other schemes and broken addresses stay text", () => {
  for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "ftp://x.example/", "http://", "https://[::1"]) {
    const segments = textSegments(text);
    assert.ok(segments.every((segment) => segment.url === undefined), text);
    assert.equal(joined(segments), text);
  }
  assert.deepEqual(textSegments("no links here"), [{ text: "no links here" }]);
  assert.deepEqual(textSegments(""), []);
});

test("several addresses, and the scheme in capitals", () => {
  const text = "HTTPS://A.example/1 and http://b.example/2";
  const segments = textSegments(text);
  assert.deepEqual(segments.filter((segment) => segment.url).map((segment) => segment.url), ["https://a.example/1", "http://b.example/2"]);
  assert.equal(joined(segments), text);
});
