/**
 * A small QR Code encoder for pairing links: byte mode, error correction level M, versions 1–10
 * (up to 213 bytes), the eight masks scored by the standard's penalty rules (ISO/IEC 18004).
 * Written after the structure of Project Nayuki's QR Code generator (MIT licence), reduced to
 * what Ferry needs, because the client has no dependencies. Pure: returns a matrix of booleans;
 * {@link qrSvg} draws it with DOM APIs.
 *
 * @module app/qr
 */

/** Error-correction codewords per block and blocks, level M, index = version. */
const ECC_PER_BLOCK_M = [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS_M = [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
/** Format-information bits of level M. */
const FORMAT_BITS_M = 0;
export const MAX_VERSION = 10;

/**
 * @param {number} version
 * @returns {number} codewords (data + error correction) a symbol of this version holds
 */
export function rawCodewords(version) {
  let modules = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    modules -= (25 * align - 10) * align - 55;
    if (version >= 7) modules -= 36;
  }
  return Math.floor(modules / 8);
}

/** @param {number} version */
export function dataCodewords(version) {
  return rawCodewords(version) - ECC_PER_BLOCK_M[version] * BLOCKS_M[version];
}

/**
 * Encodes bytes (a string is taken as UTF-8).
 * @param {string | Uint8Array} input
 * @param {{ mask?: number }} [options] a fixed mask (tests); otherwise the lowest penalty wins
 * @returns {{ version: number, mask: number, size: number, modules: boolean[][] }} modules[y][x], true = dark
 */
export function encodeQr(input, options = {}) {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let version = 1;
  for (; version <= MAX_VERSION; version++) {
    const countBits = version <= 9 ? 8 : 16;
    if (4 + countBits + bytes.length * 8 <= dataCodewords(version) * 8) break;
  }
  if (version > MAX_VERSION) throw new RangeError(`too long for a QR code up to version ${MAX_VERSION}: ${bytes.length} bytes`);

  // Bit stream: mode 0100 (byte), count, data, terminator, padding.
  const capacity = dataCodewords(version) * 8;
  /** @type {number[]} */
  const bits = [];
  const put = (/** @type {number} */ value, /** @type {number} */ length) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(4, 4);
  put(bytes.length, version <= 9 ? 8 : 16);
  for (const byte of bytes) put(byte, 8);
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));

  const codewords = interleave(version, data);
  const size = version * 4 + 17;
  const modules = Array.from({ length: size }, () => new Array(size).fill(false));
  const isFunction = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (/** @type {number} */ x, /** @type {number} */ y, /** @type {boolean} */ dark) => {
    modules[y][x] = dark;
    isFunction[y][x] = true;
  };
  drawFunctionPatterns(version, size, set);
  drawCodewords(codewords, size, modules, isFunction);

  let mask = options.mask ?? -1;
  if (mask < 0) {
    let best = Infinity;
    for (let candidate = 0; candidate < 8; candidate++) {
      applyMask(candidate, size, modules, isFunction);
      drawFormat(candidate, size, set);
      const score = penalty(size, modules);
      if (score < best) {
        best = score;
        mask = candidate;
      }
      applyMask(candidate, size, modules, isFunction); // XOR again undoes it
    }
  }
  applyMask(mask, size, modules, isFunction);
  drawFormat(mask, size, set);
  return { version, mask, size, modules };
}

/**
 * Splits data into blocks, adds Reed–Solomon codewords, and interleaves them.
 * @param {number} version
 * @param {number[]} data
 */
function interleave(version, data) {
  const blocks = BLOCKS_M[version];
  const eccLength = ECC_PER_BLOCK_M[version];
  const raw = rawCodewords(version);
  const shortBlocks = blocks - (raw % blocks);
  const shortLength = Math.floor(raw / blocks);
  const divisor = rsDivisor(eccLength);
  /** @type {number[][]} */
  const all = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const block = data.slice(k, k + shortLength - eccLength + (i < shortBlocks ? 0 : 1));
    k += block.length;
    const ecc = rsRemainder(block, divisor);
    if (i < shortBlocks) block.push(0); // placeholder, skipped below
    all.push(block.concat(ecc));
  }
  const result = [];
  for (let i = 0; i < all[0].length; i++) {
    for (let j = 0; j < all.length; j++) {
      if (i !== shortLength - eccLength || j >= shortBlocks) result.push(all[j][i]);
    }
  }
  return result;
}

/** @param {number} x @param {number} y */
function gfMultiply(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

/** @param {number} degree */
function rsDivisor(degree) {
  const result = new Array(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < result.length; j++) {
      result[j] = gfMultiply(result[j], root);
      if (j + 1 < result.length) result[j] ^= result[j + 1];
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

/** @param {number[]} data @param {number[]} divisor */
function rsRemainder(data, divisor) {
  const result = divisor.map(() => 0);
  for (const byte of data) {
    const factor = byte ^ /** @type {number} */ (result.shift());
    result.push(0);
    divisor.forEach((coefficient, i) => (result[i] ^= gfMultiply(coefficient, factor)));
  }
  return result;
}

/**
 * @param {number} version
 * @param {number} size
 * @param {(x: number, y: number, dark: boolean) => void} set
 */
function drawFunctionPatterns(version, size, set) {
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        const distance = Math.max(Math.abs(dx), Math.abs(dy));
        if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, distance !== 2 && distance !== 4);
      }
    }
  }
  const positions = alignmentPositions(version, size);
  const last = positions.length - 1;
  positions.forEach((ay, i) =>
    positions.forEach((ax, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) set(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }),
  );
  drawFormat(0, size, set); // reserves the area; drawn for real after masking
  if (version >= 7) {
    let remainder = version;
    for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
    const bits = (version << 12) | remainder;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) !== 0;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }
}

/** @param {number} version @param {number} size */
export function alignmentPositions(version, size) {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const result = [6];
  for (let position = size - 7; result.length < count; position -= step) result.splice(1, 0, position);
  return result;
}

/**
 * @param {number} mask
 * @param {number} size
 * @param {(x: number, y: number, dark: boolean) => void} set
 */
function drawFormat(mask, size, set) {
  const data = (FORMAT_BITS_M << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  const bits = ((data << 10) | remainder) ^ 0x5412;
  const bit = (/** @type {number} */ i) => ((bits >>> i) & 1) !== 0;
  for (let i = 0; i <= 5; i++) set(8, i, bit(i));
  set(8, 7, bit(6));
  set(8, 8, bit(7));
  set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i));
  set(8, size - 8, true);
}

/**
 * @param {number[]} codewords
 * @param {number} size
 * @param {boolean[][]} modules
 * @param {boolean[][]} isFunction
 */
function drawCodewords(codewords, size, modules, isFunction) {
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vertical = 0; vertical < size; vertical++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - vertical : vertical;
        if (!isFunction[y][x] && i < codewords.length * 8) {
          modules[y][x] = ((codewords[i >>> 3] >>> (7 - (i & 7))) & 1) !== 0;
          i++;
        }
      }
    }
  }
}

/**
 * @param {number} mask
 * @param {number} size
 * @param {boolean[][]} modules
 * @param {boolean[][]} isFunction
 */
function applyMask(mask, size, modules, isFunction) {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let invert;
      switch (mask) {
        case 0: invert = (x + y) % 2 === 0; break;
        case 1: invert = y % 2 === 0; break;
        case 2: invert = x % 3 === 0; break;
        case 3: invert = (x + y) % 3 === 0; break;
        case 4: invert = (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0; break;
        case 5: invert = ((x * y) % 2) + ((x * y) % 3) === 0; break;
        case 6: invert = (((x * y) % 2) + ((x * y) % 3)) % 2 === 0; break;
        default: invert = (((x + y) % 2) + ((x * y) % 3)) % 2 === 0; break;
      }
      if (!isFunction[y][x] && invert) modules[y][x] = !modules[y][x];
    }
  }
}

/** @param {number} size @param {boolean[][]} modules */
function penalty(size, modules) {
  let result = 0;
  const line = (/** @type {(i: number) => boolean} */ at) => {
    let color = false;
    let run = 0;
    const history = [0, 0, 0, 0, 0, 0, 0];
    const add = (/** @type {number} */ length) => {
      if (history[0] === 0) length += size; // the light border before the first run
      history.pop();
      history.unshift(length);
    };
    const patterns = () => {
      const n = history[1];
      const core = n > 0 && history[2] === n && history[3] === n * 3 && history[4] === n && history[5] === n;
      return (core && history[0] >= n * 4 && history[6] >= n ? 1 : 0) + (core && history[6] >= n * 4 && history[0] >= n ? 1 : 0);
    };
    for (let i = 0; i < size; i++) {
      if (at(i) === color) {
        run++;
        if (run === 5) result += 3;
        else if (run > 5) result++;
      } else {
        add(run);
        if (!color) result += patterns() * 40;
        color = at(i);
        run = 1;
      }
    }
    if (color) {
      add(run);
      run = 0;
    }
    add(run + size);
    result += patterns() * 40;
  };
  for (let y = 0; y < size; y++) line((x) => modules[y][x]);
  for (let x = 0; x < size; x++) line((y) => modules[y][x]);
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules[y][x]) dark++;
      if (x < size - 1 && y < size - 1) {
        const c = modules[y][x];
        if (c === modules[y][x + 1] && c === modules[y + 1][x] && c === modules[y + 1][x + 1]) result += 3;
      }
    }
  }
  const total = size * size;
  result += (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
  return result;
}

/**
 * Draws a QR matrix as an SVG element (one path, a 4-module quiet zone), with DOM APIs only.
 * @param {Document} document
 * @param {{ size: number, modules: boolean[][] }} qr
 * @param {string} label the accessible name (what the code says)
 */
export function qrSvg(document, qr, label) {
  const NS = "http://www.w3.org/2000/svg";
  const quiet = 4;
  const full = qr.size + quiet * 2;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${full} ${full}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.classList.add("qr");
  const background = document.createElementNS(NS, "rect");
  background.setAttribute("width", String(full));
  background.setAttribute("height", String(full));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", qrPath(qr, quiet));
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
}

/**
 * The dark modules as one SVG path ("M x y h1 v1 h-1 z" per module).
 * @param {{ size: number, modules: boolean[][] }} qr
 * @param {number} offset
 */
export function qrPath(qr, offset = 4) {
  const parts = [];
  for (let y = 0; y < qr.size; y++) for (let x = 0; x < qr.size; x++) if (qr.modules[y][x]) parts.push(`M${x + offset} ${y + offset}h1v1h-1z`);
  return parts.join("");
}
