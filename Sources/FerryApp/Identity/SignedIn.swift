import FerryStore
import Foundation

/// The result of signing in or of creating an account in the browser: the user, and the new
/// session's secret for the cookie.
public struct SignedIn: Sendable {
    public var user: User
    public var sessionToken: String
    /// Seconds until the session's absolute end, for the cookie's `Max-Age`.
    public var maxAge: Int
}
