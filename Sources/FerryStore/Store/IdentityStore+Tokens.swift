import Foundation
import SQLKit

/// A token with the user it belongs to, as found by its secret.
public struct TokenLookup: Sendable {
    public var token: APIToken
    public var user: User
}

extension IdentityStore {
    static let tokenColumns =
        "id, user_id, name, scopes, prefix, created_at, expires_at, last_used_at, revoked_at"

    public func createToken(_ token: APIToken, secretHash: String, audit: AuditEntry) async throws {
        try await write { sql in
            try await sql.raw(
                """
                INSERT INTO api_tokens (id, user_id, name, secret_hash, prefix, scopes, created_at, expires_at)
                VALUES (\(bind: token.id.key), \(bind: token.userID.key), \(bind: token.name), \(bind: secretHash),
                    \(bind: token.prefix), \(bind: Scope.encode(token.scopes)), \(bind: token.createdAt.milliseconds),
                    \(bind: token.expiresAt?.milliseconds))
                """
            ).run()
            try await insert(audit, at: token.createdAt, on: sql)
        }
    }

    /// A user's tokens that are not revoked, newest first.
    public func tokens(userID: UUID) async throws -> [APIToken] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.tokenColumns) FROM api_tokens
                WHERE user_id = \(bind: userID.key) AND revoked_at IS NULL ORDER BY created_at DESC
                """
            ).all().map { try $0.apiToken() }
        }
    }

    /// The token with this secret hash and its user, whatever its state; the caller decides.
    public func token(secretHash: String) async throws -> TokenLookup? {
        try await database.withConnection { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT t.id, t.user_id, t.name, t.scopes, t.prefix, t.created_at, t.expires_at, t.last_used_at,
                        t.revoked_at, u.id AS u_id, u.email AS u_email, u.display_name AS u_display_name,
                        u.is_admin AS u_is_admin, u.disabled AS u_disabled, u.created_at AS u_created_at
                    FROM api_tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.secret_hash = \(bind: secretHash)
                    """
                ).first()
            else { return nil }
            return TokenLookup(token: try row.apiToken(), user: try row.user(prefix: "u_"))
        }
    }

    public func touchToken(id: UUID, now: Date) async throws {
        try await database.withConnection { sql in
            try await sql.raw(
                "UPDATE api_tokens SET last_used_at = \(bind: now.milliseconds) WHERE id = \(bind: id.key)"
            ).run()
        }
    }

    /// Revokes one of `userID`'s tokens; ``StoreError/notFound`` if there is no such live token.
    public func revokeToken(id: UUID, userID: UUID, now: Date, audit: AuditEntry) async throws {
        try await write { sql in
            let revoked = try await sql.raw(
                """
                UPDATE api_tokens SET revoked_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id.key) AND user_id = \(bind: userID.key) AND revoked_at IS NULL
                RETURNING id
                """
            ).all()
            guard !revoked.isEmpty else { throw StoreError.notFound }
            try await insert(audit, at: now, on: sql)
        }
    }
}
