import FerryHTTP

/// Media types for files served from the public root, and whether they are worth compressing.
///
/// The table is closed on purpose: an unknown extension is served as `application/octet-stream`, which browsers
/// download instead of sniffing and rendering, so a stray upload can never become an HTML page on our origin.
/// Textual types carry `charset=utf-8` because every text file under `Public/` is written as UTF-8 and without the
/// parameter browsers fall back to windows-1252 for `text/plain` and friends.
public enum MIMEType {
    /// The type used when the extension is unknown or empty.
    public static let fallback = "application/octet-stream"

    /// The `Content-Type` value for a file extension.
    ///
    /// - Parameter ext: The extension without the dot (`"html"`); a single leading dot is tolerated and the lookup is
    ///   case-insensitive (`"JPG"` and `".jpg"` both give `image/jpeg`).
    /// - Returns: The media type, with `charset=utf-8` for text types, or ``fallback`` when the extension is unknown.
    public static func contentType(forPathExtension ext: String) -> String {
        var key = Substring(ext)
        if key.first == "." {
            key = key.dropFirst()
        }
        return table[FieldSyntax.asciiLowercased(key.utf8)] ?? fallback
    }

    /// Whether a response of this type should be compressed (dynamically or by precompressed siblings).
    ///
    /// True for text, JavaScript, JSON, XML and their `+json`/`+xml` structured-syntax suffixes (SVG, web manifests,
    /// feeds), WebAssembly, icons and bitmaps, and uncompressed fonts (TTF, OTF, EOT). False for formats that already
    /// carry their own compression — JPEG, PNG, WebP, AVIF, audio, video, ZIP-based containers, gzip, WOFF/WOFF2 —
    /// where another pass costs CPU and saves nothing. Parameters such as `charset` are ignored.
    public static func isCompressible(_ contentType: String) -> Bool {
        let essence = FieldSyntax.asciiLowercased(
            FieldSyntax.trimmingOWS(ArraySlice(contentType.utf8.prefix { $0 != UInt8(ascii: ";") }))
        )
        if essence.hasPrefix("text/") {
            return true
        }
        if compressibleTypes.contains(essence) {
            return true
        }
        // Structured syntax suffixes (RFC 6839): the payload is JSON or XML text whatever the vendor prefix says.
        return essence.hasSuffix("+json") || essence.hasSuffix("+xml")
    }

    private static let compressibleTypes: Set<String> = [
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "application/json",
        "application/xml",
        "application/wasm",
        "application/yaml",
        "application/toml",
        "application/x-sh",
        "application/rtf",
        "application/x-tar",
        "application/vnd.apple.mpegurl",
        "application/vnd.ms-fontobject",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "image/bmp",
        "font/ttf",
        "font/otf",
    ]

    private static let utf8Text = "; charset=utf-8"

    private static let table: [String: String] = [
        // Web platform
        "html": "text/html" + utf8Text,
        "htm": "text/html" + utf8Text,
        "xhtml": "application/xhtml+xml",
        "css": "text/css" + utf8Text,
        // RFC 9239 makes text/javascript the one correct type for JavaScript, module or classic.
        "js": "text/javascript" + utf8Text,
        "mjs": "text/javascript" + utf8Text,
        "cjs": "text/javascript" + utf8Text,
        "json": "application/json",
        "jsonld": "application/ld+json",
        "map": "application/json",
        "wasm": "application/wasm",
        "webmanifest": "application/manifest+json",
        "xml": "application/xml",
        "xsl": "application/xml",
        "atom": "application/atom+xml",
        "rss": "application/rss+xml",
        // Text
        "txt": "text/plain" + utf8Text,
        "text": "text/plain" + utf8Text,
        "log": "text/plain" + utf8Text,
        "md": "text/markdown" + utf8Text,
        "markdown": "text/markdown" + utf8Text,
        "csv": "text/csv" + utf8Text,
        "tsv": "text/tab-separated-values" + utf8Text,
        "ics": "text/calendar" + utf8Text,
        "vtt": "text/vtt" + utf8Text,
        "yaml": "application/yaml",
        "yml": "application/yaml",
        "toml": "application/toml",
        "sh": "application/x-sh",
        "rtf": "application/rtf",
        // Images
        "svg": "image/svg+xml",
        "png": "image/png",
        "apng": "image/apng",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "jfif": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "jxl": "image/jxl",
        "heic": "image/heic",
        "heif": "image/heif",
        "ico": "image/x-icon",
        "cur": "image/x-icon",
        "bmp": "image/bmp",
        "tif": "image/tiff",
        "tiff": "image/tiff",
        // Fonts
        "woff": "font/woff",
        "woff2": "font/woff2",
        "ttf": "font/ttf",
        "otf": "font/otf",
        "eot": "application/vnd.ms-fontobject",
        // Audio
        "mp3": "audio/mpeg",
        "m4a": "audio/mp4",
        "aac": "audio/aac",
        "ogg": "audio/ogg",
        "oga": "audio/ogg",
        // .opus files are Ogg-encapsulated (RFC 7845); audio/opus names the bare RTP payload.
        "opus": "audio/ogg",
        "wav": "audio/wav",
        "flac": "audio/flac",
        "weba": "audio/webm",
        "mid": "audio/midi",
        "midi": "audio/midi",
        // Video
        "mp4": "video/mp4",
        "m4v": "video/mp4",
        "ogv": "video/ogg",
        "webm": "video/webm",
        "mov": "video/quicktime",
        "avi": "video/x-msvideo",
        "mkv": "video/x-matroska",
        "mpeg": "video/mpeg",
        "mpg": "video/mpeg",
        "3gp": "video/3gpp",
        "m3u8": "application/vnd.apple.mpegurl",
        "mpd": "application/dash+xml",
        // 3D
        "gltf": "model/gltf+json",
        "glb": "model/gltf-binary",
        // Archives
        "zip": "application/zip",
        "gz": "application/gzip",
        "tgz": "application/gzip",
        "br": "application/x-brotli",
        "zst": "application/zstd",
        "tar": "application/x-tar",
        "7z": "application/x-7z-compressed",
        "rar": "application/vnd.rar",
        "bz2": "application/x-bzip2",
        "xz": "application/x-xz",
        "jar": "application/java-archive",
        // Documents
        "pdf": "application/pdf",
        "epub": "application/epub+zip",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
    ]
}
