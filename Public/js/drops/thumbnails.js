/**
 * Small previews made in the browser, before anything is encrypted: an image, or a video's first
 * frame, scaled to at most 160 px and encoded as a WebP data URL of a few KiB. They travel inside
 * the sealed metadata, so the server never sees them; a drop keeps at most
 * {@link MAX_THUMBNAILS} of them to stay well inside the metadata limit.
 *
 * @module drops/thumbnails
 */

export const THUMBNAIL_PX = 160;
export const MAX_THUMBNAILS = 48;
/** Larger sources are skipped: decoding a 200 MB TIFF for a 160 px preview is not worth it. */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
const TIMEOUT_MS = 5000;

/** @param {Blob} blob @returns {Promise<string>} */
const dataURL = (blob) =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(/** @type {string} */ (reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

/** @param {CanvasImageSource} source @param {number} width @param {number} height */
async function encode(source, width, height) {
  const scale = Math.min(1, THUMBNAIL_PX / Math.max(width, height));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)));
  const context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const url = await dataURL(await canvas.convertToBlob({ type: "image/webp", quality: 0.7 }));
  // A browser that cannot encode WebP falls back to PNG, larger but fine.
  return url.length < 64 * 1024 ? url : null;
}

/** The first frame of a video, through a muted, detached <video>. @param {File} file */
function videoFrame(file) {
  return new Promise((resolve) => {
    const video = document.createElement("video");
    const url = URL.createObjectURL(file);
    const finish = (/** @type {string | null} */ value) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      video.removeAttribute("src");
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), TIMEOUT_MS);
    video.muted = true;
    video.preload = "auto";
    // `loadeddata` says a frame is there, but a detached video that never played may not have it
    // ready to draw yet (a blank preview, seen under load); a seek to the start ends with
    // `seeked` once the frame at that position is decoded.
    video.addEventListener(
      "loadeddata",
      () => {
        video.addEventListener("seeked", () => encode(video, video.videoWidth, video.videoHeight).then(finish, () => finish(null)), { once: true });
        video.currentTime = 0;
      },
      { once: true },
    );
    video.addEventListener("error", () => finish(null));
    video.src = url;
  });
}

/**
 * A data URL preview of the file, or null (not an image or video, too large, undecodable).
 * @param {File} file
 * @returns {Promise<string | null>}
 */
export async function makeThumbnail(file) {
  if (file.size > MAX_SOURCE_BYTES) return null;
  try {
    if (file.type.startsWith("image/")) {
      const bitmap = await createImageBitmap(file);
      try {
        return await encode(bitmap, bitmap.width, bitmap.height);
      } finally {
        bitmap.close();
      }
    }
    if (file.type.startsWith("video/")) return await videoFrame(file);
  } catch {
    // Not decodable here: no preview, not an error.
  }
  return null;
}
