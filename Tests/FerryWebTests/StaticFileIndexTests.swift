import Crypto
import Foundation
import NIOCore
import Testing

@testable import FerryWeb

@Suite("Static file index and asset manifest")
struct StaticFileIndexTests {
    static func makeRoot() throws -> String {
        let root = NSTemporaryDirectory() + "ferry-index-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/js", withIntermediateDirectories: true)
        try Data("import './b.js';\n".utf8).write(to: URL(fileURLWithPath: root + "/js/a.js"))
        try Data("export {};\n".utf8).write(to: URL(fileURLWithPath: root + "/js/b.js"))
        try Data(String(repeating: "body { color: red; }\n", count: 100).utf8).write(
            to: URL(fileURLWithPath: root + "/app.css"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/.hidden"))
        return root
    }

    @Test("every module is in the import map and the CSP hash is the SHA-256 of its exact text")
    func manifest() throws {
        let index = try StaticFileIndex.build(root: try Self.makeRoot())
        let manifest = index.manifest
        let a = try #require(manifest.urls["/js/a.js"])
        let b = try #require(manifest.urls["/js/b.js"])
        #expect(manifest.importMapJSON == "{\"imports\":{\"/js/a.js\":\"\(a)\",\"/js/b.js\":\"\(b)\"}}")
        let expected = Data(SHA256.hash(data: Data(manifest.importMapJSON.utf8))).base64EncodedString()
        #expect(manifest.importMapHash == expected)
        #expect(manifest.templateKeys["js_a_js"] == a)
        #expect(index.files[".hidden"] == nil)
    }

    @Test("fingerprints change with content, and only then")
    func fingerprints() throws {
        let root = try Self.makeRoot()
        let before = try StaticFileIndex.build(root: root).manifest.urls
        let same = try StaticFileIndex.build(root: root).manifest.urls
        #expect(before == same)
        try Data("export const changed = 1;\n".utf8).write(to: URL(fileURLWithPath: root + "/js/b.js"))
        let after = try StaticFileIndex.build(root: root).manifest.urls
        #expect(after["/js/b.js"] != before["/js/b.js"])
        #expect(after["/js/a.js"] == before["/js/a.js"])
    }

    @Test("small compressible files get in-memory brotli and gzip variants with their own ETags")
    func variants() throws {
        let index = try StaticFileIndex.build(root: try Self.makeRoot())
        let css = try #require(index.files["app.css"])
        let brotli = try #require(css.variants[.br])
        let gzip = try #require(css.variants[.gzip])
        #expect(brotli.length < css.identity.length)
        #expect(gzip.memory?.getBytes(at: gzip.memory!.readerIndex, length: 2) == [0x1f, 0x8b])
        #expect(Set([css.identity.etag, brotli.etag, gzip.etag]).count == 3)
        #expect(css.identity.headers.fields[.vary] == "Accept-Encoding")
        #expect(index.files["js/b.js"]?.variants.isEmpty == true)  // too small to be worth it
    }

    @Test("a missing root is a clear error")
    func missingRoot() {
        #expect(throws: StaticFileIndexError.notADirectory("/nonexistent-ferry")) {
            try StaticFileIndex.build(root: "/nonexistent-ferry")
        }
    }

    @Test(
        "plain paths take the fast path; anything unusual goes through the full resolver",
        arguments: [
            ("/a/b.js", true), ("/", true), ("/a/", true), ("/a%20b", false), ("/a/../b", false), ("/.env", false),
            ("/a//b", false), ("/a\\b", false), ("/a/.b", false),
        ])
    func plainPaths(path: String, plain: Bool) {
        #expect(StaticFiles.isPlain(path[...]) == plain)
    }
}
