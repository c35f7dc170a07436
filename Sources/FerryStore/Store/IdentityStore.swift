import Foundation
import SQLKit

/// The records of teams and accounts: users, teams, memberships, sessions, API tokens, invites,
/// the audit log and the first-run setup token. Every change that touches more than one row runs
/// in one transaction, together with its audit entry.
///
/// Methods take `now` so that expiry can be tested without waiting.
public struct IdentityStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Runs a change as one transaction that also bumps the identity version, so that caches of
    /// sessions, tokens, teams and members see it on their next check.
    func write<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await database.transaction { sql in
            let result = try await body(sql)
            try await sql.raw("UPDATE identity_version SET version = version + 1 WHERE id = 1").run()
            return result
        }
    }

    /// The identity version: it changes with every committed change of users, teams, members,
    /// sessions or tokens (not with last-use times or the audit log).
    public func version() async throws -> Int64 {
        try await database.withConnection { sql in
            try await sql.raw("SELECT version FROM identity_version WHERE id = 1").first()?
                .decode(column: "version", as: Int64.self) ?? 0
        }
    }

    /// Writes an audit entry inside the caller's transaction.
    func insert(_ entry: AuditEntry, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO audit_events (at, action, actor_id, team_id, subject, client_address, detail)
            VALUES (\(bind: now.milliseconds), \(bind: entry.action), \(bind: entry.actorID?.key),
                    \(bind: entry.teamID?.key), \(bind: entry.subject), \(bind: entry.clientAddress),
                    \(bind: entry.detail))
            """
        ).run()
    }

    /// Runs a write, turning a unique-constraint violation into `conflict`.
    func mapUniqueViolation<Result: Sendable>(
        to conflict: StoreError, _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch let error where UniqueViolation.matches(error) {
            throw conflict
        }
    }
}
