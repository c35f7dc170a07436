"""A folder "picked" with the File System Access API, for the browser tests that save into one
(test_transfers.py, test_drops.py, test_drops_cli.py): the picker hands out a folder of the
origin private file system, so the page runs the real code path and the test can read what it
wrote."""

# Installed with `context.add_init_script`: showDirectoryPicker() answers the OPFS folder "picked".
PICKER_STUB = """
window.showDirectoryPicker = async () =>
  (await navigator.storage.getDirectory()).getDirectoryHandle("picked", { create: true });
"""

# Evaluated in the page: hashes every file under the picked folder, {path: sha256 hex}. Chromium's
# swap files (`NAME.crswap`, where a writable stream's bytes wait until it is closed) are not files
# the page saved, and are left out.
HASH_PICKED = """
async () => {
  const out = {};
  const walk = async (dir, prefix) => {
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind === "directory") { await walk(handle, prefix + name + "/"); continue; }
      if (name.endsWith(".crswap")) continue;
      const bytes = await (await handle.getFile()).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      out[prefix + name] = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
  };
  const root = await navigator.storage.getDirectory();
  await walk(await root.getDirectoryHandle("picked", { create: true }), "");
  return out;
}
"""
