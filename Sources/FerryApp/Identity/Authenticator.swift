import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

/// Turns a request's credential — `Authorization: Bearer` or the session cookie — into a
/// ``Principal``, checking expiry, revocation and the user's state on every request, so that a
/// revoked token or a disabled user stops working at once.
public struct Authenticator: Sendable {
    public let store: IdentityStore
    public let configuration: IdentityConfiguration
    public let clock: @Sendable () -> Date

    public init(
        store: IdentityStore, configuration: IdentityConfiguration, clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    /// The caller, or nil for an anonymous request (no cookie, or a session that ended). A bearer
    /// token that is not valid is an error: a script should learn at once that its token died.
    public func principal(for request: Request) async throws -> Principal? {
        if let authorization = request.headers[.authorization] {
            return try await tokenPrincipal(authorization)
        }
        guard let token = request.cookie(IdentityConfiguration.sessionCookieName), SecretToken.isWellFormed(token)
        else { return nil }
        return try await sessionPrincipal(tokenHash: SecretToken.hash(token))
    }

    /// The hash of the session cookie the browser presented, valid or not (to replace at sign-in).
    public func presentedSessionHash(_ request: Request) -> String? {
        guard let token = request.cookie(IdentityConfiguration.sessionCookieName), SecretToken.isWellFormed(token)
        else { return nil }
        return SecretToken.hash(token)
    }

    func sessionPrincipal(tokenHash: String) async throws -> Principal? {
        guard let found = try await store.session(tokenHash: tokenHash), !found.user.disabled else { return nil }
        let now = clock()
        let session = found.session
        guard now < session.expiresAt, now.timeIntervalSince(session.lastSeenAt) < configuration.sessionIdleTimeout
        else { return nil }
        if now.timeIntervalSince(session.lastSeenAt) >= configuration.lastUseWriteInterval {
            try await store.touchSession(tokenHash: tokenHash, now: now)
        }
        return Principal(user: found.user, credential: .session(tokenHash: tokenHash))
    }

    func tokenPrincipal(_ authorization: String) async throws -> Principal {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.invalidToken("Send the API token as Authorization: Bearer ferry_….")
        }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        guard secret.hasPrefix(IdentityConfiguration.tokenPrefix),
            SecretToken.isWellFormed(secret.dropFirst(IdentityConfiguration.tokenPrefix.count))
        else { throw Self.invalidToken("The API token is malformed.") }
        let now = clock()
        guard let found = try await store.token(secretHash: SecretToken.hash(secret)),
            found.token.revokedAt == nil, !found.user.disabled,
            found.token.expiresAt.map({ now < $0 }) ?? true
        else { throw Self.invalidToken("The API token is invalid, expired or revoked.") }
        if now.timeIntervalSince(found.token.lastUsedAt ?? .distantPast) >= configuration.lastUseWriteInterval {
            try await store.touchToken(id: found.token.id, now: now)
        }
        return Principal(user: found.user, credential: .token(id: found.token.id, scopes: found.token.scopes))
    }

    static func invalidToken(_ detail: String) -> HTTPError {
        HTTPError(
            .unauthorized, detail: detail, type: "unauthenticated",
            headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }
}
