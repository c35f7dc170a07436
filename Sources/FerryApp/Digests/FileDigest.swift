/// One file's digest as the browser computed it.
public struct FileDigest: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int64
    public var sha256: String

    public init(name: String, size: Int64, sha256: String) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }
}
