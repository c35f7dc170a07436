/**
 * Small, pure formatting helpers for the page: sizes, progress, counts, durations.
 *
 * @module format
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * @param {unknown} value
 * @param {string} what
 */
function requireCount(value, what) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/**
 * Formats a byte count with binary (IEC) units: "0 B", "999 B", "1.5 KiB", "12 MiB".
 * One decimal below 10 units, none above; a value that rounds up to 1024 moves to the next unit.
 *
 * @param {number} bytes a non-negative integer
 * @returns {string}
 * @throws {RangeError} for negative, fractional or unsafe numbers
 */
export function formatBytes(bytes) {
  requireCount(bytes, "bytes");
  if (bytes < 1024) return `${bytes} B`;
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let text = value < 10 ? value.toFixed(1) : Math.round(value).toString();
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    unit++;
    text = (Number(text) / 1024).toFixed(1);
  }
  return `${text} ${UNITS[unit]}`;
}

/**
 * The whole percentage of `done` out of `total`, rounded down so that 100 means finished.
 * Nothing to do (`total` 0) counts as finished; `done` is clamped to `0…total`.
 *
 * @param {number} done
 * @param {number} total
 * @returns {number} an integer from 0 to 100
 */
export function percent(done, total) {
  if (!(total > 0)) return 100;
  const clamped = Math.min(Math.max(done, 0), total);
  return Math.floor((clamped / total) * 100);
}

/**
 * A count with its noun: "1 file", "2 files", "0 files".
 *
 * @param {number} count
 * @param {string} singular
 * @param {string} [plural] `singular + "s"` by default
 * @returns {string}
 */
export function plural(count, singular, plural = `${singular}s`) {
  return `${count} ${count === 1 ? singular : plural}`;
}

/**
 * A time of day as the pages say it, the same everywhere: "3:06 PM" in English (hours without a
 * leading zero, no seconds).
 *
 * @param {Date} when
 * @param {string | string[]} [locale] the user's locale by default
 * @returns {string}
 */
export function formatTime(when, locale) {
  return when.toLocaleTimeString(locale ?? [], { hour: "numeric", minute: "2-digit" });
}

/**
 * Items in a sentence: "a", "a and b", "a, b and c"; past `shown` items, "a, b, c and 2 more"
 * (`total` counts items not in `items`, e.g. names not kept).
 *
 * @param {string[]} items
 * @param {object} [options]
 * @param {number} [options.shown] items named at most
 * @param {number} [options.total] how many there are in all (`items.length` by default)
 * @returns {string}
 */
export function listText(items, { shown = Infinity, total = items.length } = {}) {
  const named = items.slice(0, shown);
  const more = total - named.length;
  if (more > 0) return named.length === 0 ? `${more} more` : `${named.join(", ")} and ${more} more`;
  if (named.length <= 1) return named.join("");
  return `${named.slice(0, -1).join(", ")} and ${named.at(-1)}`;
}

/**
 * An integer with the locale's digit grouping: "5,242,893" in English.
 *
 * @param {number} value
 * @param {string | string[]} [locale] the user's locale by default
 * @returns {string}
 */
export function formatInteger(value, locale) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/**
 * A short human duration: "0.4 s", "12 s", "2 min 5 s".
 *
 * @param {number} milliseconds non-negative
 * @returns {string}
 */
export function formatDuration(milliseconds) {
  if (!(milliseconds >= 0)) throw new RangeError(`milliseconds must be non-negative, got ${String(milliseconds)}`);
  const tenths = Math.round(milliseconds / 100) / 10;
  if (tenths < 10) return `${tenths.toFixed(1)} s`;
  const whole = Math.round(milliseconds / 1000);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/**
 * A date and time for people, in their own time zone and the locale's style: "1 Dec 2026, 20:14"
 * in British English. The one format of every page: the server renders times in UTC
 * ("1 Dec 2026, 19:14 UTC", for pages without script), and the pages' script rewrites them with
 * this (page-actions.js), so a time reads the same on every page.
 *
 * @param {Date | string | number} when
 * @param {string | string[]} [locale] the user's locale by default
 * @param {string} [timeZone] the user's time zone by default
 * @returns {string} "" for an invalid date
 */
export function formatDateTime(when, locale, timeZone) {
  const date = new Date(when);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}
