/// The JSON inside a drop's sealed metadata (docs/DROPS.md, "Metadata"):
/// `{"v":1,"kind":"files","files":[{path,type,size,salt}]}` or `{"v":1,"kind":"text","text":…}`.
public struct DropManifest: Codable, Sendable, Equatable {
    /// One file of a `files` drop.
    public struct File: Codable, Sendable, Equatable {
        /// `/`-separated path inside the drop.
        public var path: String
        /// A MIME type or "".
        public var type: String
        /// Plaintext bytes.
        public var size: Int64
        /// The stream's salt, base64url.
        public var salt: String

        public init(path: String, type: String, size: Int64, salt: String) {
            self.path = path
            self.type = type
            self.size = size
            self.salt = salt
        }
    }

    /// The format's version, 1.
    public var v: Int
    /// `files` or `text`.
    public var kind: String
    /// The files of a `files` drop.
    public var files: [File]?
    /// The text of a `text` drop.
    public var text: String?

    /// A drop of files.
    public static func files(_ files: [File]) -> DropManifest {
        DropManifest(v: 1, kind: "files", files: files, text: nil)
    }

    /// The drop of `items`, each file's stream salted with the salt at its index.
    static func files(_ items: [SendItem], salts: [String]) -> DropManifest {
        precondition(items.count == salts.count, "one salt per file")
        return files(
            zip(items, salts).map { DropManifest.File(path: $0.dropPath, type: $0.type, size: $0.size, salt: $1) })
    }

    /// A text drop.
    public static func text(_ text: String) -> DropManifest {
        DropManifest(v: 1, kind: "text", files: nil, text: text)
    }
}
