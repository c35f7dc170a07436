import Foundation
import Testing

@testable import FerryDropClient

@Suite("Links, paths, durations and the state store")
struct LinkAndPathTests {
    static let secret: [UInt8] = Array(0..<16)

    @Test("a link round-trips, with or without a path prefix")
    func linkRoundTrip() throws {
        let link = DropLink(server: "https://ferry.example/", id: "PdQhAYu8sA5c45fP7pjgqA", secret: Self.secret)
        #expect(link.description == "https://ferry.example/d/PdQhAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw")
        #expect(try DropLink(parsing: link.description) == link)
        let prefixed = try DropLink(
            parsing: " http://127.0.0.1:8080/ferry/d/PdQhAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw\n")
        #expect(prefixed.server == "http://127.0.0.1:8080/ferry")
        #expect(prefixed.secret == Self.secret)
    }

    @Test(
        "malformed links are refused",
        arguments: [
            "https://ferry.example/d/PdQhAYu8sA5c45fP7pjgqA",
            "https://ferry.example/d/PdQhAYu8sA5c45fP7pjgqA#short",
            "https://ferry.example/d/PdQhAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw==",
            "https://ferry.example/x/PdQhAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw",
            "https://ferry.example/d/Pd+hAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw",
            "ftp://ferry.example/d/PdQhAYu8sA5c45fP7pjgqA#AAECAwQFBgcICQoLDA0ODw",
        ])
    func badLinks(text: String) {
        #expect(throws: DropClientError.self) { try DropLink(parsing: text) }
    }

    @Test("paths are made safe: no climbing out, no absolute paths, no NUL")
    func sanitise() {
        #expect(DropPathSanitizer.sanitize("photos/beach.jpg") == "photos/beach.jpg")
        #expect(DropPathSanitizer.sanitize("../../etc/passwd") == "etc/passwd")
        #expect(DropPathSanitizer.sanitize("/etc/passwd") == "etc/passwd")
        #expect(DropPathSanitizer.sanitize("a/./b/../c") == "a/b/c")
        // A backslash is a character of a name (Linux allows it), never a separator.
        #expect(DropPathSanitizer.sanitize("..\\..\\windows\\system32") == ".._.._windows_system32")
        #expect(DropPathSanitizer.sanitize("a\\b.txt") == "a_b.txt")
        #expect(
            DropPathSanitizer.sanitize("a/\u{301}b.txt") == "a/\u{301}b.txt", "split on the scalar, as in the browser")
        #expect(DropPathSanitizer.sanitize("notes/draft \\ final.md") == "notes/draft _ final.md")
        #expect(DropPathSanitizer.sanitize("a\u{0}b") == "a_b")
        #expect(DropPathSanitizer.sanitize("evil\u{202E}gpj.exe") == "evil_gpj.exe")
        #expect(DropPathSanitizer.sanitize("") == "file")
        #expect(DropPathSanitizer.sanitize("../..") == "file")
        #expect(DropPathSanitizer.sanitize(" name. ") == "name")
        #expect(DropPathSanitizer.sanitize("con.txt") == "_con.txt")
        #expect(DropPathSanitizer.sanitize("x/COM1") == "x/_COM1")
        let long = String(repeating: "é", count: 300) + ".txt"
        let cut = DropPathSanitizer.sanitize(long)
        #expect(cut.utf8.count <= 255 && cut.hasSuffix(".txt"))
        let deep = (0..<40).map { "d\($0)" }.joined(separator: "/")
        #expect(DropPathSanitizer.sanitize(deep).split(separator: "/").count == 32)
    }

    @Test("two files of the same path get distinct places under the folder")
    func targets() {
        #expect(
            DropReceiver.targets(["a.txt", "a.txt", "../a.txt", "b/c"], under: "out/")
                == ["out/a.txt", "out/a (2).txt", "out/a (3).txt", "out/b/c"])
        // Without case, as macOS and Windows compare names; the number goes before the extension
        // as in the browser, and a name without one (or a dot file) gets it at the end.
        #expect(
            DropReceiver.targets(["A.txt", "a.txt", "x/.env", "x/.ENV", "README", "readme"], under: "o")
                == ["o/A.txt", "o/a (2).txt", "o/x/.env", "o/x/.ENV (2)", "o/README", "o/readme (2)"])
        #expect(
            DropReceiver.targets(["v1.2/notes", "v1.2/notes"], under: "o") == ["o/v1.2/notes", "o/v1.2/notes (2)"])
        // A file never takes the name of a folder another file needs, whatever their order or case.
        #expect(DropReceiver.targets(["x", "x/y"], under: "o") == ["o/x (2)", "o/x/y"])
        #expect(DropReceiver.targets(["X/y", "x"], under: "o") == ["o/X/y", "o/x (2)"])
        #expect(
            DropReceiver.targets(["a (2).txt/b", "a.txt", "a.txt"], under: "o")
                == ["o/a (2).txt/b", "o/a.txt", "o/a (3).txt"])
        // Numbered by scalar, as split: the "/" before a combining mark still ends the folder.
        #expect(
            DropReceiver.targets(["a.d/\u{301}b", "a.d/\u{301}b"], under: "o") == [
                "o/a.d/\u{301}b", "o/a.d/\u{301}b (2)",
            ])
    }

    @Test("durations")
    func durations() {
        #expect(ExpiryDuration.seconds("1d") == 86_400)
        #expect(ExpiryDuration.seconds("90s") == 90)
        #expect(ExpiryDuration.seconds("30m") == 1800)
        #expect(ExpiryDuration.seconds("12H") == 43_200)
        #expect(ExpiryDuration.seconds("2w") == 1_209_600)
        #expect(ExpiryDuration.seconds("600") == 600)
        for bad in ["", "d", "0d", "-1h", "1.5h", "1y", "99999999999999999999w"] {
            #expect(ExpiryDuration.seconds(bad) == nil, "\(bad)")
        }
        #expect(ExpiryDuration.words(2_592_000) == "30 days")
        #expect(ExpiryDuration.words(86_400) == "1 day")
        #expect(ExpiryDuration.words(7200) == "2 hours")
        #expect(ExpiryDuration.words(90) == "90 seconds")
        #expect(ExpiryDuration.words(60) == "1 minute")
        #expect(ExpiryDuration.words(90_000) == "25 hours")
    }

    @Test("the state store saves privately, loads, and forgets")
    func stateStore() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-state-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = StateStore(directory: folder.appendingPathComponent("ferry"))
        let key = StateStore.key("send", ["http://s", "/tmp/a", "10", "1.5"])
        #expect(key == StateStore.key("send", ["http://s", "/tmp/a", "10", "1.5"]))
        #expect(key != StateStore.key("send", ["http://s", "/tmp/a", "10", "1.6"]))
        #expect(key != StateStore.key("send", ["http://s", "/tmp/a1", "0", "1.5"]))
        #expect(store.load(SendState.self, key: key) == nil)
        let state = SendState(
            secret: "c2VjcmV0", passwordSalt: nil, verifier: "dg",
            uploads: [.init(url: "http://s/api/v1/uploads/x", salt: "c2FsdA")])
        try store.save(state, key: key)
        #expect(store.load(SendState.self, key: key) == state)
        let mode = try FileManager.default.attributesOfItem(atPath: store.url(key).path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        store.remove(key: key)
        #expect(store.load(SendState.self, key: key) == nil)
        #expect(
            StateStore.defaultDirectory(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path == "/c/ferry")
        #expect(StateStore.defaultDirectory(environment: ["HOME": "/h"]).path == "/h/.cache/ferry")
    }

    @Test("old states are pruned, fresh ones kept")
    func stateStorePrune() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-prune-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = StateStore(directory: folder)
        try store.save(GetState(ticket: "t", completed: []), key: "get-old")
        try store.save(GetState(ticket: "t", completed: []), key: "get-new")
        let now = Date()
        try FileManager.default.setAttributes(
            [.modificationDate: now.addingTimeInterval(-StateStore.keptFor - 60)],
            ofItemAtPath: store.url("get-old").path)
        let leftover = folder.appendingPathComponent(".get-x.123.tmp")
        #expect(FileManager.default.createFile(atPath: leftover.path, contents: Data("{".utf8)))
        try FileManager.default.setAttributes(
            [.modificationDate: now.addingTimeInterval(-7200)], ofItemAtPath: leftover.path)
        store.prune(now: now)
        #expect(store.load(GetState.self, key: "get-old") == nil)
        #expect(store.load(GetState.self, key: "get-new") != nil)
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
    }

    @Test("the manifest's JSON has the documented shape")
    func manifest() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let files = DropManifest.files([.init(path: "a/b.txt", type: "text/plain", size: 3, salt: "AA")])
        #expect(
            String(decoding: try encoder.encode(files), as: UTF8.self)
                == #"{"files":[{"path":"a\/b.txt","salt":"AA","size":3,"type":"text\/plain"}],"kind":"files","v":1}"#)
        #expect(
            String(decoding: try encoder.encode(DropManifest.text("hi")), as: UTF8.self)
                == #"{"kind":"text","text":"hi","v":1}"#)
    }

    @Test("a send's manifest pairs each item with the salt at its index")
    func manifestOfItems() {
        let items = [
            SendItem(diskPath: "/x/a", dropPath: "d/a.png", size: 0, modified: 1, type: "image/png"),
            SendItem(diskPath: "/x/b", dropPath: "d/b", size: 65_520, modified: 2, type: ""),
        ]
        let manifest = DropManifest.files(items, salts: ["S0", "S1"])
        #expect(
            manifest.files == [
                .init(path: "d/a.png", type: "image/png", size: 0, salt: "S0"),
                .init(path: "d/b", type: "", size: 65_520, salt: "S1"),
            ])
    }
}
