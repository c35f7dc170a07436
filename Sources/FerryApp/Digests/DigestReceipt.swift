/// The server's acknowledgement of a digest submission.
public struct DigestReceipt: Codable, Sendable, Equatable {
    /// 128 random bits, hex.
    public var receipt: String
    /// ISO 8601, UTC.
    public var receivedAt: String
    public var count: Int
    public var totalBytes: Int64
    /// The files as received, in the order sent.
    public var files: [FileDigest]
}
