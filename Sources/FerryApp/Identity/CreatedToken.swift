import FerryStore

/// A new API token and its secret, which is shown this once.
public struct CreatedToken: Sendable {
    public var token: APIToken
    public var secret: String
}
