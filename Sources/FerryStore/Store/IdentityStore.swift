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
