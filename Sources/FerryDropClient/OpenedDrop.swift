/// The answer of `POST /api/v1/drops/{id}/open`.
public struct OpenedDrop: Decodable, Sendable {
    /// One file's ciphertext length.
    public struct File: Decodable, Sendable {
        public var size: Int64
    }

    public var ticket: String
    public var metadata: String
    public var files: [File]
}
