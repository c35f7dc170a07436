/// The body of `POST /api/v1/drops`.
public struct NewDropRequest: Encodable, Sendable {
    /// PBKDF2 parameters of a password drop.
    public struct Password: Encodable, Sendable {
        /// The PBKDF2 salt, base64url (16 bytes).
        public var salt: String
        /// PBKDF2-HMAC-SHA256 iterations (600,000 to 10,000,000).
        public var iterations: Int
    }

    /// SHA-256 of the proof token, base64url.
    public var verifier: String
    /// The sealed metadata, base64url.
    public var metadata: String
    /// The upload ids of the files, in the drop's order (empty for a text).
    public var files: [String]
    /// Set for a password drop.
    public var password: Password?
    /// Seconds until the drop expires; nil for the server's default.
    public var expiresIn: Int?
    /// Downloads allowed; nil for no limit.
    public var maxDownloads: Int?
}
