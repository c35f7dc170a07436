/// The password of a password drop and its PBKDF2 parameters (stored with the drop).
public struct DropPassword: Sendable {
    public var password: String
    /// 16 random bytes.
    public var salt: [UInt8]
    public var iterations: Int

    public init(password: String, salt: [UInt8], iterations: Int = DropFormat.minPasswordIterations) {
        self.password = password
        self.salt = salt
        self.iterations = iterations
    }
}
