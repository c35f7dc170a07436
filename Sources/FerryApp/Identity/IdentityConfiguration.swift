import Foundation

/// The identity layer's limits and lifetimes, each with a safe default.
public struct IdentityConfiguration: Sendable {
    /// A session unused this long ends.
    public var sessionIdleTimeout: TimeInterval = 7 * 86400
    /// A session ends this long after sign-in, used or not.
    public var sessionLifetime: TimeInterval = 30 * 86400
    /// Last use is written at most this often per session or token (a write per request would
    /// make every read a write).
    public var lastUseWriteInterval: TimeInterval = 60
    /// Failed sign-ins per account within ``signInAccountWindow`` before 429.
    public var signInFailuresPerAccount = 10
    public var signInAccountWindow: TimeInterval = 15 * 60
    /// Sign-in attempts per client address within ``signInAddressWindow`` before 429.
    public var signInAttemptsPerAddress = 30
    public var signInAddressWindow: TimeInterval = 5 * 60
    /// Invites: default and largest lifetime, largest number of uses.
    public var inviteDefaultLifetime: TimeInterval = 7 * 86400
    public var inviteMaxLifetime: TimeInterval = 90 * 86400
    public var inviteMaxUses = 1000
    /// API tokens: largest lifetime in days when one is given.
    public var tokenMaxLifetimeDays = 3650
    /// Audit pages: default and largest number of events.
    public var auditPageSize = 50
    public var auditMaxPageSize = 500
    /// The scrypt cost of new password hashes (stored hashes keep theirs until the next sign-in).
    public var passwordParameters: ScryptParameters = .standard

    public static let sessionCookieName = "ferry_session"

    /// The session cookie's name: under TLS with the `__Host-` prefix, which browsers accept only
    /// from this very host with `Secure` and `Path=/` and no `Domain` — so a sibling subdomain
    /// cannot plant one. The plain name is then ignored.
    public static func sessionCookieName(scheme: String) -> String {
        scheme == "https" ? "__Host-" + sessionCookieName : sessionCookieName
    }
    public static let tokenPrefix = "ferry_"

    public init() {}
}
