/// The choices of a `ferry send` that are not its content.
public struct SendOptions: Sendable {
    /// The drop's password, nil for none.
    public var password: String?
    /// Seconds until the drop expires, nil for the server's default.
    public var expiresIn: Int?
    /// Downloads allowed, nil for no limit.
    public var maxDownloads: Int?

    public init(password: String? = nil, expiresIn: Int? = nil, maxDownloads: Int? = nil) {
        self.password = password
        self.expiresIn = expiresIn
        self.maxDownloads = maxDownloads
    }
}
