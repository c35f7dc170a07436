// The client never parses strings as HTML: received names and text are shown with textContent.
// A guard over every module, so a later change cannot slip innerHTML in unnoticed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("../../Public/js/", import.meta.url).pathname;
const files = (dir) => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith(".js") ? [join(dir, name)] : []));

test("no module uses innerHTML, outerHTML, insertAdjacentHTML, document.write or eval", () => {
  const offenders = files(root).filter((file) => /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write\(|\beval\(|new Function\(/.test(readFileSync(file, "utf8")));
  assert.deepEqual(offenders, []);
});
