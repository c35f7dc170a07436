/// The answer of `GET /api/v1/drops/{id}`: what opening needs, before any proof.
public struct DropInfo: Decodable, Sendable {
    /// PBKDF2 parameters of a password drop.
    public struct Password: Decodable, Sendable {
        /// The PBKDF2 salt, base64url (16 bytes).
        public var salt: String
        /// PBKDF2-HMAC-SHA256 iterations.
        public var iterations: Int
    }

    /// The drop's id.
    public var id: String
    /// Set for a password drop.
    public var password: Password?
    /// Files in the drop (0 for a text).
    public var fileCount: Int
    /// Ciphertext bytes of all files.
    public var size: Int64
    /// Downloads left, nil without a limit.
    public var downloadsLeft: Int?
}
