import Foundation
import SQLKit

/// A session with the user it belongs to, as found by its token.
public struct SessionLookup: Sendable {
    public var session: Session
    public var user: User
}

extension IdentityStore {
    /// Stores a new session and deletes `replacing` (the session the browser presented before
    /// signing in), in one transaction.
    /// - Parameter requiringPasswordHash: the password hash the sign-in checked. The session is
    ///   made only if the user is enabled and still has that hash (``StoreError/notFound``
    ///   otherwise): a password reset or a disable that lands while the hash was being checked wins.
    public func createSession(
        _ session: Session, replacing: String?, audit: AuditEntry?, requiringPasswordHash: String? = nil
    ) async throws {
        try await write { sql in
            if let requiringPasswordHash {
                let row = try await sql.raw(
                    "SELECT password_hash, disabled FROM users WHERE id = \(bind: session.userID.key)"
                ).first()
                guard let row, try row.optionalString("password_hash") == requiringPasswordHash,
                    try !row.bool("disabled")
                else { throw StoreError.notFound }
            }
            if let replacing {
                try await sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: replacing)").run()
            }
            try await sql.raw(
                """
                INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, client_address,
                    user_agent)
                VALUES (\(bind: session.tokenHash), \(bind: session.userID.key), \(bind: session.createdAt.milliseconds),
                    \(bind: session.lastSeenAt.milliseconds), \(bind: session.expiresAt.milliseconds),
                    \(bind: session.clientAddress), \(bind: session.userAgent))
                """
            ).run()
            if let audit { try await insert(audit, at: session.createdAt, on: sql) }
        }
    }

    /// The session with this token hash and its user, expired or not; the caller decides.
    public func session(tokenHash: String) async throws -> SessionLookup? {
        try await database.withConnection { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.client_address,
                        s.user_agent, u.id AS u_id, u.email AS u_email, u.display_name AS u_display_name,
                        u.is_admin AS u_is_admin, u.disabled AS u_disabled, u.created_at AS u_created_at
                    FROM sessions s JOIN users u ON u.id = s.user_id
                    WHERE s.token_hash = \(bind: tokenHash)
                    """
                ).first()
            else { return nil }
            return SessionLookup(session: try row.session(), user: try row.user(prefix: "u_"))
        }
    }

    /// Records use of a session (for the idle timeout).
    public func touchSession(tokenHash: String, now: Date) async throws {
        try await database.withConnection { sql in
            try await sql.raw(
                "UPDATE sessions SET last_seen_at = \(bind: now.milliseconds) WHERE token_hash = \(bind: tokenHash)"
            ).run()
        }
    }

    public func deleteSession(tokenHash: String, now: Date, audit: AuditEntry?) async throws {
        try await write { sql in
            try await sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run()
            if let audit { try await insert(audit, at: now, on: sql) }
        }
    }

    /// Ends every session of a user.
    public func deleteSessions(userID: UUID, now: Date, audit: AuditEntry?) async throws {
        try await write { sql in
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID.key)").run()
            if let audit { try await insert(audit, at: now, on: sql) }
        }
    }

    /// The sessions of a user, newest first.
    public func sessions(userID: UUID) async throws -> [Session] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT token_hash, user_id, created_at, last_seen_at, expires_at, client_address, user_agent
                FROM sessions WHERE user_id = \(bind: userID.key) ORDER BY created_at DESC
                """
            ).all().map { try $0.session() }
        }
    }

    /// Housekeeping: removes sessions past their absolute end or idle since `idleBefore`.
    @discardableResult
    public func deleteExpiredSessions(now: Date, idleBefore: Date) async throws -> Int {
        try await write { sql in
            try await sql.raw(
                """
                DELETE FROM sessions
                WHERE expires_at <= \(bind: now.milliseconds) OR last_seen_at < \(bind: idleBefore.milliseconds)
                RETURNING token_hash
                """
            ).all().count
        }
    }
}
