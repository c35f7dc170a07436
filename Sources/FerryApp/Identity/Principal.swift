import FerryStore
import Foundation

/// Who is making a request, and with what credential.
public struct Principal: Sendable {
    public enum Credential: Sendable, Equatable {
        /// A signed-in browser, by its session token's hash.
        case session(tokenHash: String)
        /// A personal API token.
        case token(id: UUID, scopes: Set<Scope>)
    }

    public var user: User
    public var credential: Credential
    /// When the credential stops being valid unless something renews it (a session's idle limit
    /// or lifetime, a token's expiry); nil for never. A long-lived socket is re-checked then.
    public var validUntil: Date?

    public init(user: User, credential: Credential, validUntil: Date? = nil) {
        self.user = user
        self.credential = credential
        self.validUntil = validUntil
    }

    /// A session may do everything its user may; a token only what its scopes allow.
    public var scopes: Set<Scope> {
        switch credential {
        case .session: Set(Scope.allCases)
        case .token(_, let scopes): scopes
        }
    }

    /// Scopes nest: holding `admin` grants `write` and `read`.
    public func has(_ scope: Scope) -> Bool {
        scopes.contains { $0 >= scope }
    }

    public var isSession: Bool {
        if case .session = credential { return true }
        return false
    }

    public var sessionTokenHash: String? {
        if case .session(let hash) = credential { return hash }
        return nil
    }
}
