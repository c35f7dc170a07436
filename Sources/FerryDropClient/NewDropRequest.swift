/// The body of `POST /api/v1/drops`.
public struct NewDropRequest: Encodable, Sendable {
    /// PBKDF2 parameters of a password drop.
    public struct Password: Encodable, Sendable {
        public var salt: String
        public var iterations: Int
    }

    public var verifier: String
    public var metadata: String
    public var files: [String]
    public var password: Password?
    public var expiresIn: Int?
    public var maxDownloads: Int?
}
