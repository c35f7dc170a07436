import Foundation
import SQLKit

extension IdentityStore {
    /// Records one event on its own (events that go with a change are written in its transaction).
    public func record(_ entry: AuditEntry, now: Date) async throws {
        try await database.withConnection { sql in
            try await insert(entry, at: now, on: sql)
        }
    }

    /// Events newest first, for one team or the whole server, paged by id.
    public func auditEvents(teamID: UUID? = nil, before: Int64? = nil, limit: Int) async throws -> [AuditEvent] {
        try await database.withConnection { sql in
            let before = before ?? Int64.max
            let query: SQLQueryString =
                if let teamID {
                    """
                    SELECT id, at, action, actor_id, team_id, subject, client_address, detail FROM audit_events
                    WHERE team_id = \(bind: teamID.key) AND id < \(bind: before) ORDER BY id DESC LIMIT \(bind: limit)
                    """
                } else {
                    """
                    SELECT id, at, action, actor_id, team_id, subject, client_address, detail FROM audit_events
                    WHERE id < \(bind: before) ORDER BY id DESC LIMIT \(bind: limit)
                    """
                }
            return try await sql.raw(query).all().map { try $0.auditEvent() }
        }
    }
}
