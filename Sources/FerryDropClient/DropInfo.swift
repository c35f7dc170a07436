/// The answer of `GET /api/v1/drops/{id}`.
public struct DropInfo: Decodable, Sendable {
    /// PBKDF2 parameters of a password drop.
    public struct Password: Decodable, Sendable {
        public var salt: String
        public var iterations: Int
    }

    public var id: String
    public var password: Password?
    public var fileCount: Int
    public var size: Int64
    public var downloadsLeft: Int?
}
