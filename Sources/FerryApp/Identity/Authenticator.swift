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
    public let cache: IdentityCache
    public let clock: @Sendable () -> Date

    public init(
        store: IdentityStore, configuration: IdentityConfiguration, cache: IdentityCache = IdentityCache(),
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.configuration = configuration
        self.cache = cache
        self.clock = clock
    }

    /// Reads the store's identity version once for this request, so that the cache answers only
    /// while nothing changed. Call before ``principal(for:)``.
    public func refresh() async throws {
        cache.sync(to: try await store.version())
    }

    /// The caller, or nil for an anonymous request (no cookie, or a session that ended). A bearer
    /// token that is not valid is an error: a script should learn at once that its token died.
    /// - Parameter scheme: `https` or `http` as the client sees it; it names the cookie.
    public func principal(for request: Request, scheme: String) async throws -> Principal? {
        if let authorization = request.headers[.authorization] {
            return try await tokenPrincipal(authorization)
        }
        guard let hash = presentedSessionHash(request, scheme: scheme) else { return nil }
        return try await sessionPrincipal(tokenHash: hash)
    }

    /// The hash of the session cookie the browser presented, valid or not (to replace at sign-in).
    public func presentedSessionHash(_ request: Request, scheme: String) -> String? {
        guard let token = request.cookie(IdentityConfiguration.sessionCookieName(scheme: scheme)),
            SecretToken.isWellFormed(token)
        else { return nil }
        return SecretToken.hash(token)
    }

    /// The principal of a live session, or nil. `use`: this is the session being used (a
    /// request), which keeps it from its idle limit; a re-check of an open socket is not.
    func sessionPrincipal(tokenHash: String, use: Bool = true) async throws -> Principal? {
        let now = clock()
        // What is read now is valid for this version; a later put under a newer one is refused,
        // so a lookup read before a revocation can never re-enter the cache after it.
        let version = cache.currentVersion
        var found = cache.cached(\.sessions, tokenHash)
        if let cached = found, !isLive(cached.session, at: now) {
            // Another instance may have used it since: the store has the last word.
            cache.remove(\.sessions, tokenHash)
            found = nil
        }
        if found == nil {
            found = try await store.session(tokenHash: tokenHash)
            if let found { cache.put(\.sessions, tokenHash, found, version: version) }
        }
        guard var found, !found.user.disabled, isLive(found.session, at: now) else { return nil }
        if use, now.timeIntervalSince(found.session.lastSeenAt) >= configuration.lastUseWriteInterval {
            try await store.touchSession(tokenHash: tokenHash, now: now)
            found.session.lastSeenAt = now
            cache.put(\.sessions, tokenHash, found, version: version)
        }
        return Principal(
            user: found.user, credential: .session(tokenHash: tokenHash),
            validUntil: min(
                found.session.expiresAt, found.session.lastSeenAt.addingTimeInterval(configuration.sessionIdleTimeout)))
    }

    private func isLive(_ session: Session, at now: Date) -> Bool {
        now < session.expiresAt && now.timeIntervalSince(session.lastSeenAt) < configuration.sessionIdleTimeout
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
        guard let principal = try await tokenPrincipal(secretHash: SecretToken.hash(secret)) else {
            throw Self.invalidToken("The API token is invalid, expired or revoked.")
        }
        return principal
    }

    /// The principal of the token with this secret hash, or nil when it is revoked, expired or
    /// its user is disabled: for a handshake and for re-checking a long-lived socket later.
    func tokenPrincipal(secretHash hash: String) async throws -> Principal? {
        let now = clock()
        let version = cache.currentVersion
        var lookup = cache.cached(\.tokens, hash)
        if lookup == nil {
            lookup = try await store.token(secretHash: hash)
            if let lookup { cache.put(\.tokens, hash, lookup, version: version) }
        }
        guard var found = lookup, found.token.revokedAt == nil, !found.user.disabled,
            found.token.expiresAt.map({ now < $0 }) ?? true
        else { return nil }
        if now.timeIntervalSince(found.token.lastUsedAt ?? .distantPast) >= configuration.lastUseWriteInterval {
            try await store.touchToken(id: found.token.id, now: now)
            found.token.lastUsedAt = now
            cache.put(\.tokens, hash, found, version: version)
        }
        return Principal(
            user: found.user, credential: .token(id: found.token.id, scopes: found.token.scopes),
            validUntil: found.token.expiresAt)
    }

    /// The stored form of the bearer token a request carries, well-formed or not checked.
    static func bearerSecretHash(_ request: Request) -> String? {
        guard let authorization = request.headers[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return SecretToken.hash(parts[1].trimmingCharacters(in: .whitespaces))
    }

    static func invalidToken(_ detail: String) -> HTTPError {
        HTTPError(
            .unauthorized, detail: detail, type: "unauthenticated",
            headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }
}
