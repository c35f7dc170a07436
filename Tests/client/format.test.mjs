// Unit tests for Public/js/format.js.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { formatBytes, formatDateTime, formatDuration, formatInteger, formatTime, listText, percent, plural } from "../../Public/js/format.js";

describe("formatBytes", () => {
  it("uses bytes below 1 KiB and IEC units above", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(1), "1 B");
    assert.equal(formatBytes(1023), "1023 B");
    assert.equal(formatBytes(1024), "1.0 KiB");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(10 * 1024), "10 KiB");
    assert.equal(formatBytes(5 * 1024 * 1024 + 123), "5.0 MiB");
    assert.equal(formatBytes(Math.round(123.4 * 1024 * 1024)), "123 MiB");
    assert.equal(formatBytes(2 ** 30), "1.0 GiB");
    assert.equal(formatBytes(2 ** 40 * 3), "3.0 TiB");
    assert.equal(formatBytes(Number.MAX_SAFE_INTEGER), "8.0 PiB");
  });

  it("moves to the next unit when rounding reaches 1024", () => {
    assert.equal(formatBytes(1024 * 1024 - 1), "1.0 MiB");
    assert.equal(formatBytes(Math.round(1023.4 * 1024)), "1023 KiB");
  });

  it("rejects what is not a byte count", () => {
    for (const bad of [-1, 1.5, NaN, Infinity, "12", Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(() => formatBytes(bad), RangeError, String(bad));
    }
  });
});

describe("percent", () => {
  it("rounds down so that only finished work shows 100", () => {
    assert.equal(percent(0, 200), 0);
    assert.equal(percent(1, 200), 0);
    assert.equal(percent(199, 200), 99);
    assert.equal(percent(200, 200), 100);
    assert.equal(percent(5_242_879, 5_242_880), 99);
  });

  it("clamps and treats an empty total as done", () => {
    assert.equal(percent(300, 200), 100);
    assert.equal(percent(-5, 200), 0);
    assert.equal(percent(0, 0), 100);
  });
});

describe("plural, formatInteger, formatDuration", () => {
  it("pluralises counts", () => {
    assert.equal(plural(0, "file"), "0 files");
    assert.equal(plural(1, "file"), "1 file");
    assert.equal(plural(2, "file"), "2 files");
    assert.equal(plural(2, "child", "children"), "2 children");
  });

  it("groups digits by locale", () => {
    assert.equal(formatInteger(5_242_893, "en-US"), "5,242,893");
    assert.equal(formatInteger(0, "en-US"), "0");
  });

  it("formats durations for people", () => {
    assert.equal(formatDuration(0), "0.0 s");
    assert.equal(formatDuration(420), "0.4 s");
    assert.equal(formatDuration(9_940), "9.9 s");
    assert.equal(formatDuration(9_960), "10 s");
    assert.equal(formatDuration(59_400), "59 s");
    assert.equal(formatDuration(59_600), "1 min");
    assert.equal(formatDuration(125_000), "2 min 5 s");
    assert.throws(() => formatDuration(-1), RangeError);
  });
});

describe("formatDateTime", () => {
  it("formats in the given locale and time zone, from a Date, an ISO string or milliseconds", () => {
    const iso = "2026-12-01T19:14:00Z";
    assert.equal(formatDateTime(iso, "en-GB", "UTC"), "1 Dec 2026, 19:14");
    assert.equal(formatDateTime(new Date(iso), "en-GB", "Europe/Berlin"), "1 Dec 2026, 20:14");
    // ICU versions differ in the space before "PM" (a narrow no-break space since ICU 72).
    assert.equal(formatDateTime(Date.parse(iso), "en-US", "America/New_York").replace(/\s/gu, " "), "Dec 1, 2026, 2:14 PM");
  });

  it("gives nothing for an invalid date", () => {
    assert.equal(formatDateTime("not a date", "en-GB", "UTC"), "");
  });
});

describe("listText", () => {
  it("joins one, two and three items as a sentence does", () => {
    assert.equal(listText([]), "");
    assert.equal(listText(["a"]), "a");
    assert.equal(listText(["a", "b"]), "a and b");
    assert.equal(listText(["a", "b", "c"]), "a, b and c");
  });
  it("names at most `shown` items and counts the rest, also those not in the list", () => {
    assert.equal(listText(["a", "b", "c", "d"], { shown: 3 }), "a, b, c and 1 more");
    assert.equal(listText(["a", "b", "c"], { shown: 3 }), "a, b and c");
    assert.equal(listText(["a"], { total: 3 }), "a and 2 more");
    assert.equal(listText([], { total: 2 }), "2 more");
  });
});

describe("formatTime", () => {
  it("says a time of day the same way on every page: hours and minutes", () => {
    assert.equal(formatTime(new Date(2026, 0, 1, 15, 6, 7), "en-US"), "3:06 PM");
    assert.equal(formatTime(new Date(2026, 0, 1, 9, 5, 0), "en-GB"), "9:05");
  });
});
