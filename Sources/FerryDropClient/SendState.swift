/// What a `ferry send` keeps to continue after an interruption: the drop's secret and the
/// password's salt (so the keys are the same), each file's salt (so its ciphertext is
/// byte-identical) and upload URL (so the server's `HEAD` offset says where to go on).
public struct SendState: Codable, Sendable, Equatable {
    /// One file's upload.
    public struct Upload: Codable, Sendable, Equatable {
        /// The tus upload's absolute URL.
        public var url: String
        /// The stream's salt, base64url.
        public var salt: String
    }

    /// The link's secret, base64url.
    public var secret: String
    /// The password's PBKDF2 salt, base64url (password drops only).
    public var passwordSalt: String?
    /// The proof verifier the keys gave, base64url: a rerun with another password derives
    /// another one, and starts over rather than mixing two keys in one stream.
    public var verifier: String
    /// One per file, in the drop's order.
    public var uploads: [Upload]
}
