import Foundation
import SQLKit

extension IdentityStore {
    /// Issues a new first-run token, replacing any unused one (only the latest printed link works).
    public func replaceSetupToken(hash: String, now: Date) async throws {
        try await write { sql in
            try await sql.raw("DELETE FROM setup_tokens WHERE used_at IS NULL").run()
            try await sql.raw(
                "INSERT INTO setup_tokens (token_hash, created_at) VALUES (\(bind: hash), \(bind: now.milliseconds))"
            ).run()
        }
    }

    /// Whether `hash` is an unused setup token and no user exists yet.
    public func isSetupTokenValid(hash: String) async throws -> Bool {
        try await database.withConnection { sql in
            let users = try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0
            guard users == 0 else { return false }
            return try await sql.raw(
                "SELECT token_hash FROM setup_tokens WHERE token_hash = \(bind: hash) AND used_at IS NULL"
            ).first() != nil
        }
    }

    /// First run: uses the token and creates the first admin, their team and the membership, all
    /// in one transaction.
    public func completeSetup(
        tokenHash: String, admin: NewUser, teamName: String, now: Date, clientAddress: String?
    ) async throws -> (User, Team) {
        try await write { sql in
            let users = try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0
            let used = try await sql.raw(
                """
                UPDATE setup_tokens SET used_at = \(bind: now.milliseconds)
                WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL
                RETURNING token_hash
                """
            ).all()
            guard users == 0, !used.isEmpty else { throw StoreError.setupTokenInvalid }
            var admin = admin
            admin.isAdmin = true
            let user = try await insertUser(admin, now: now, on: sql)
            let team = try await insertTeam(name: teamName, ownerID: user.id, now: now, on: sql)
            for entry in [
                AuditEntry("setup-completed", actorID: user.id, clientAddress: clientAddress),
                AuditEntry("user-created", actorID: user.id, subject: user.id.key, clientAddress: clientAddress),
                AuditEntry(
                    "team-created", actorID: user.id, teamID: team.id, subject: team.id.key,
                    clientAddress: clientAddress),
            ] {
                try await insert(entry, at: now, on: sql)
            }
            return (user, team)
        }
    }
}
