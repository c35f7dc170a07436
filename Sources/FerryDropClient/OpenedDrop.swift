/// The answer of `POST /api/v1/drops/{id}/open`.
public struct OpenedDrop: Decodable, Sendable {
    /// One file's stored stream.
    public struct File: Decodable, Sendable {
        /// Ciphertext bytes.
        public var size: Int64
    }

    /// The download ticket (`Ferry-Drop-Ticket`) for the files.
    public var ticket: String
    /// The sealed metadata, base64url.
    public var metadata: String
    /// The files, in the drop's order.
    public var files: [File]
}
