import Foundation
import Testing

/// Static files from a throw-away `Public/` over real sockets: validators, ranges, encodings,
/// fingerprints, and no way out of the root.
@Suite("Live: static files")
struct LiveStaticFileTests {
    /// A public folder with known content, a dotfile, a precompressed sibling and a symlink out.
    static func makePublic() throws -> (root: String, outside: String) {
        let base = NSTemporaryDirectory() + "ferry-public-" + UUID().uuidString
        let root = base + "/public"
        let outside = base + "/secret.txt"
        try FileManager.default.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/js", withIntermediateDirectories: true)
        try Data("0123456789abcdefghij".utf8).write(to: URL(fileURLWithPath: root + "/digits.txt"))
        try Data("<h1>docs</h1>".utf8).write(to: URL(fileURLWithPath: root + "/docs/index.html"))
        try Data("export const x = 1;\n".utf8).write(to: URL(fileURLWithPath: root + "/js/mod.js"))
        try Data("SECRET".utf8).write(to: URL(fileURLWithPath: root + "/.env"))
        try Data("OUTSIDE".utf8).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.createSymbolicLink(atPath: root + "/escape.txt", withDestinationPath: outside)
        let large = String(repeating: "large text file line\n", count: 2000)
        try Data(large.utf8).write(to: URL(fileURLWithPath: root + "/large.txt"))
        try Data("pretend-brotli".utf8).write(to: URL(fileURLWithPath: root + "/large.txt.br"))
        return (root, outside)
    }

    @Test("RFC 9110 conditional and range requests, table-driven")
    func conditionalAndRangeTable() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let first = try #require(try await live.get("/digits.txt"))
        let etag = try #require(first.header("ETag"))
        let lastModified = try #require(first.header("Last-Modified"))
        #expect(first.header("Accept-Ranges") == "bytes")
        #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))

        // (headers, expected status, expected body or nil, expected Content-Range or nil)
        let table: [([String: String], Int, String?, String?)] = [
            (["If-None-Match": etag], 304, nil, nil),
            (["If-None-Match": "\"other\", \(etag)"], 304, nil, nil),
            (["If-None-Match": "*"], 304, nil, nil),
            (["If-None-Match": "W/\(etag)"], 304, nil, nil),  // weak comparison
            (["If-None-Match": "\"other\""], 200, "0123456789abcdefghij", nil),
            (["If-Modified-Since": lastModified], 304, nil, nil),
            (["If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"], 200, "0123456789abcdefghij", nil),
            (["If-None-Match": "\"other\"", "If-Modified-Since": lastModified], 200, nil, nil),  // INM wins
            (["If-Match": "\"other\""], 412, nil, nil),
            (["If-Match": etag], 200, nil, nil),
            (["Range": "bytes=0-4"], 206, "01234", "bytes 0-4/20"),
            (["Range": "bytes=-5"], 206, "fghij", "bytes 15-19/20"),
            (["Range": "bytes=15-"], 206, "fghij", "bytes 15-19/20"),
            (["Range": "bytes=18-100"], 206, "ij", "bytes 18-19/20"),
            (["Range": "bytes=20-"], 416, nil, "bytes */20"),
            (["Range": "bytes=5-1"], 200, "0123456789abcdefghij", nil),
            (["Range": "items=0-1"], 200, "0123456789abcdefghij", nil),
            (["Range": "bytes=0-1", "If-Range": etag], 206, "01", "bytes 0-1/20"),
            (["Range": "bytes=0-1", "If-Range": "\"stale\""], 200, "0123456789abcdefghij", nil),
            (["Range": "bytes=0-1", "If-Range": "W/\(etag)"], 200, "0123456789abcdefghij", nil),
            (["Range": "bytes=0-1", "If-Range": lastModified], 206, "01", "bytes 0-1/20"),
        ]
        for (headers, status, body, contentRange) in table {
            let response = try #require(try await live.get("/digits.txt", headers: headers))
            #expect(response.status == status, "\(headers)")
            if let body { #expect(response.text == body, "\(headers)") }
            if let contentRange { #expect(response.header("Content-Range") == contentRange, "\(headers)") }
            if status == 304 { #expect(response.header("ETag") == etag) }
        }
    }

    @Test("multiple ranges come back as multipart/byteranges")
    func multipleRanges() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let response = try #require(try await live.get("/digits.txt", headers: ["Range": "bytes=0-1,-2"]))
        #expect(response.status == 206)
        let type = try #require(response.header("Content-Type"))
        #expect(type.hasPrefix("multipart/byteranges; boundary="))
        #expect(response.text.contains("Content-Range: bytes 0-1/20\r\n\r\n01\r\n"))
        #expect(response.text.contains("Content-Range: bytes 18-19/20\r\n\r\nij\r\n"))
    }

    @Test("HEAD gives the headers and length of GET without a body")
    func head() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let response = try #require(try await live.get("/digits.txt", method: "HEAD"))
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "20")
        #expect(response.body.isEmpty)
    }

    @Test("precompressed siblings are chosen by Accept-Encoding q-values, with Vary")
    func precompressed() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let brotli = try #require(try await live.get("/large.txt", headers: ["Accept-Encoding": "gzip, br"]))
        #expect(brotli.header("Content-Encoding") == "br")
        #expect(brotli.text == "pretend-brotli")
        #expect(brotli.header("Vary") == "Accept-Encoding")
        let gzip = try #require(try await live.get("/large.txt", headers: ["Accept-Encoding": "br;q=0.1, gzip"]))
        #expect(gzip.header("Content-Encoding") == "gzip")
        #expect(Array(gzip.body.prefix(2)) == [0x1f, 0x8b])
        let identity = try #require(try await live.get("/large.txt", headers: ["Accept-Encoding": "br;q=0, gzip;q=0"]))
        #expect(identity.header("Content-Encoding") == nil)
        #expect(identity.body.count == 42000)
        #expect(Set([brotli.header("ETag"), gzip.header("ETag"), identity.header("ETag")]).count == 3)
    }

    @Test("fingerprinted URLs are immutable; plain URLs revalidate; the import map names them")
    func fingerprints() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let manifest = live.server.staticFiles.manifest
        let url = try #require(manifest.urls["/js/mod.js"])
        #expect(url != "/js/mod.js")
        #expect(manifest.importMapJSON.contains("\"/js/mod.js\":\"\(url)\""))
        let immutable = try #require(try await live.get(url))
        #expect(immutable.status == 200)
        #expect(immutable.header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(immutable.header("Content-Type") == "text/javascript; charset=utf-8")
        let plain = try #require(try await live.get("/js/mod.js"))
        #expect(plain.header("Cache-Control") == "no-cache")
    }

    @Test("directories serve index.html; a directory without slash redirects")
    func directories() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        #expect(try await live.get("/docs/")?.text == "<h1>docs</h1>")
        let redirect = try #require(try await live.get("/docs"))
        #expect(redirect.status == 301)
        #expect(redirect.header("Location") == "/docs/")
    }

    @Test(
        "no escape from the root",
        arguments: [
            ("/../secret.txt", 400), ("/%2e%2e/secret.txt", 400), ("/docs/..%2f..%2fsecret.txt", 400),
            ("/docs%2f..%2f..%2fsecret.txt", 400), ("/..%5csecret.txt", 400), ("/%00", 400),
            ("/digits.txt%00.html", 400), ("/.env", 404), ("/%2eenv", 404), ("/escape.txt", 404),
            ("/docs/%2e%2e/%2e%2e/secret.txt", 400),
        ])
    func pathEscapes(path: String, status: Int) async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let response = try #require(try await live.get(path))
        #expect(response.status == status, "\(path)")
        #expect(!response.text.contains("SECRET"))
        #expect(!response.text.contains("OUTSIDE"))
    }

    @Test(
        "a refused address says why in words, never the name of a Swift case",
        arguments: [
            ("/%ZZ", "it has a % that is not followed by two hexadecimal digits"),
            ("/" + String(repeating: "a", count: 5000), "it is too long"),
            ("/docs/..%2f..%2fsecret.txt", "it hides a slash inside a name (%2F)"),
        ])
    func refusedAddressReason(path: String, reason: String) async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let response = try #require(try await live.get(path))
        #expect(response.status == 400)
        #expect(response.text.contains("This address is not allowed: \(reason)."), "\(response.text)")
        for name in ["invalidPercentEncoding", "tooLong", "encodedSlash"] {
            #expect(!response.text.contains(name))
        }
    }

    @Test("a backslash in the request target is refused")
    func backslash() async throws {
        let (root, _) = try Self.makePublic()
        let live = try await LiveServer.start(publicDirectory: root)
        defer { Task { await live.stop() } }
        let response = try #require(try await live.request("GET /..\\secret.txt HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(response.status == 400)
    }
}
