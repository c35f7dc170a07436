import Testing

@testable import FerryWeb

@Suite("MIMEType")
struct MIMETypeTests {
    @Test(
        "content type by extension",
        arguments: [
            ("html", "text/html; charset=utf-8"),
            ("htm", "text/html; charset=utf-8"),
            ("css", "text/css; charset=utf-8"),
            ("js", "text/javascript; charset=utf-8"),
            ("mjs", "text/javascript; charset=utf-8"),
            ("json", "application/json"),
            ("map", "application/json"),
            ("wasm", "application/wasm"),
            ("webmanifest", "application/manifest+json"),
            ("svg", "image/svg+xml"),
            ("png", "image/png"),
            ("jpg", "image/jpeg"),
            ("jpeg", "image/jpeg"),
            ("gif", "image/gif"),
            ("webp", "image/webp"),
            ("avif", "image/avif"),
            ("ico", "image/x-icon"),
            ("bmp", "image/bmp"),
            ("tiff", "image/tiff"),
            ("tif", "image/tiff"),
            ("woff", "font/woff"),
            ("woff2", "font/woff2"),
            ("ttf", "font/ttf"),
            ("otf", "font/otf"),
            ("txt", "text/plain; charset=utf-8"),
            ("md", "text/markdown; charset=utf-8"),
            ("csv", "text/csv; charset=utf-8"),
            ("xml", "application/xml"),
            ("pdf", "application/pdf"),
            ("zip", "application/zip"),
            ("gz", "application/gzip"),
            ("br", "application/x-brotli"),
            ("tar", "application/x-tar"),
            ("7z", "application/x-7z-compressed"),
            ("mp3", "audio/mpeg"),
            ("mp4", "video/mp4"),
            ("m4a", "audio/mp4"),
            ("ogg", "audio/ogg"),
            ("oga", "audio/ogg"),
            ("ogv", "video/ogg"),
            ("opus", "audio/ogg"),
            ("wav", "audio/wav"),
            ("webm", "video/webm"),
            ("flac", "audio/flac"),
            ("mov", "video/quicktime"),
            ("epub", "application/epub+zip"),
            ("rtf", "application/rtf"),
            ("doc", "application/msword"),
            ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("xls", "application/vnd.ms-excel"),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("ppt", "application/vnd.ms-powerpoint"),
            ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            ("odt", "application/vnd.oasis.opendocument.text"),
            ("ics", "text/calendar; charset=utf-8"),
            ("vtt", "text/vtt; charset=utf-8"),
            ("yaml", "application/yaml"),
            ("yml", "application/yaml"),
            ("toml", "application/toml"),
            ("sh", "application/x-sh"),
        ]
    )
    func knownExtension(ext: String, expected: String) {
        #expect(MIMEType.contentType(forPathExtension: ext) == expected)
    }

    @Test(
        "lookup is case-insensitive and tolerates one leading dot",
        arguments: [
            ("HTML", "text/html; charset=utf-8"),
            ("Jpg", "image/jpeg"),
            ("WOFF2", "font/woff2"),
            (".png", "image/png"),
            (".JS", "text/javascript; charset=utf-8"),
        ]
    )
    func caseAndDot(ext: String, expected: String) {
        #expect(MIMEType.contentType(forPathExtension: ext) == expected)
    }

    @Test(
        "unknown extensions fall back to octet-stream", arguments: ["", "exe", "php", "..png", "html ", "htmlx", "ht"])
    func unknownExtension(ext: String) {
        #expect(MIMEType.contentType(forPathExtension: ext) == "application/octet-stream")
    }

    @Test(
        "compressible types",
        arguments: [
            "text/html; charset=utf-8", "text/css", "text/plain", "TEXT/CSV", "text/javascript; charset=utf-8",
            "application/javascript", "application/json", "application/xml", "image/svg+xml", "application/wasm",
            "application/manifest+json", "application/ld+json", "application/atom+xml", "image/x-icon",
            "image/vnd.microsoft.icon", "font/ttf", "font/otf", "application/yaml", " application/json ; x=y",
        ]
    )
    func compressible(type: String) {
        #expect(MIMEType.isCompressible(type))
    }

    @Test(
        "already-compressed types are not compressible",
        arguments: [
            "image/png", "image/jpeg", "image/webp", "image/avif", "image/gif", "video/mp4", "video/webm",
            "audio/mpeg", "audio/ogg", "application/zip", "application/gzip", "application/x-brotli", "font/woff",
            "font/woff2", "application/pdf", "application/epub+zip", "application/octet-stream", "", "text",
        ]
    )
    func notCompressible(type: String) {
        #expect(!MIMEType.isCompressible(type))
    }

    @Test("every textual type in the table declares UTF-8 or is self-describing")
    func textTypesCarryCharset() {
        for ext in ["html", "htm", "css", "js", "mjs", "txt", "md", "csv", "ics", "vtt"] {
            #expect(MIMEType.contentType(forPathExtension: ext).hasSuffix("; charset=utf-8"), "\(ext)")
        }
    }

    @Test("every compressible extension in the table is classified consistently")
    func compressibilityOfTableEntries() {
        let compressed = ["png", "jpg", "gif", "webp", "avif", "woff", "woff2", "mp3", "mp4", "webm", "zip", "gz"]
        for ext in compressed {
            #expect(!MIMEType.isCompressible(MIMEType.contentType(forPathExtension: ext)), "\(ext)")
        }
        let text = ["html", "css", "js", "mjs", "json", "map", "svg", "wasm", "webmanifest", "xml", "txt", "ico"]
        for ext in text {
            #expect(MIMEType.isCompressible(MIMEType.contentType(forPathExtension: ext)), "\(ext)")
        }
    }
}
