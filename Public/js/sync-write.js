/**
 * Writing to an origin-private file through a sync access handle (`FileSystemSyncAccessHandle`),
 * in pieces of at most {@link WRITE_PIECE_BYTES}.
 *
 * Why pieces: one `write` is one `pwrite` into the page cache, and Linux sizes the page-cache
 * folios it allocates for a write by the write's length. Large folios need large runs of free
 * memory, which cost far more to find and fill than single pages — on the 2-core VM of the
 * benchmarks, writing 1 GiB in 8 MiB calls cost the writing worker 2.7–3.7 s of kernel CPU, in
 * 2 MiB calls 2.5–2.7 s, in 1 MiB calls 0.9–1.9 s, in 512 KiB or 256 KiB calls 0.37–0.45 s
 * (Benchmarks/tools/transfer-files.py, Benchmarks/README.md "Writes in 512 KiB pieces"). The
 * callers keep their larger batches (fewer messages between threads); only the system calls are
 * cut smaller.
 *
 * @module sync-write
 */

/** The longest single `write` call. */
export const WRITE_PIECE_BYTES = 512 * 1024;

/**
 * Writes all of `bytes` at file offset `at`.
 * @param {{ write: (buffer: Uint8Array, options: { at: number }) => number }} handle
 * @param {Uint8Array} bytes
 * @param {number} at
 * @throws {Error} when a write takes no bytes (the disk is full; Chromium usually throws itself)
 */
export function writeFully(handle, bytes, at) {
  for (let done = 0; done < bytes.length; ) {
    const n = handle.write(bytes.subarray(done, done + WRITE_PIECE_BYTES), { at: at + done });
    if (!(n > 0)) throw new Error("the disk took no bytes (full?)");
    done += n;
  }
}
