import Foundation
import SQLKit

extension IdentityStore {
    static let teamQuery = """
        SELECT t.id, t.name, t.created_at,
            (SELECT COUNT(*) FROM memberships m WHERE m.team_id = t.id) AS member_count
        FROM teams t
        """

    static let memberQuery = """
        SELECT m.user_id, u.email, u.display_name, u.disabled, m.role, m.created_at AS joined_at
        FROM memberships m JOIN users u ON u.id = m.user_id
        """

    /// Creates a team with its first owner; ``StoreError/teamNameTaken`` when the name is in use.
    public func createTeam(name: String, ownerID: UUID, now: Date, audit: AuditEntry) async throws -> Team {
        try await write { sql in
            let team = try await insertTeam(name: name, ownerID: ownerID, now: now, on: sql)
            var audit = audit
            audit.teamID = team.id
            try await insert(audit, at: now, on: sql)
            return team
        }
    }

    func insertTeam(name: String, ownerID: UUID, now: Date, on sql: any SQLDatabase) async throws -> Team {
        let key = name.lowercased()
        let taken = try await sql.raw("SELECT id FROM teams WHERE name_key = \(bind: key)").first()
        guard taken == nil else { throw StoreError.teamNameTaken }
        let owner = try await sql.raw("SELECT id FROM users WHERE id = \(bind: ownerID.key)").first()
        guard owner != nil else { throw StoreError.notFound }
        let team = Team(id: UUID(), name: name, createdAt: now, memberCount: 1)
        try await mapUniqueViolation(to: .teamNameTaken) {
            try await sql.raw(
                """
                INSERT INTO teams (id, name, name_key, created_at)
                VALUES (\(bind: team.id.key), \(bind: name), \(bind: key), \(bind: now.milliseconds))
                """
            ).run()
        }
        try await sql.raw(
            """
            INSERT INTO memberships (team_id, user_id, role, created_at)
            VALUES (\(bind: team.id.key), \(bind: ownerID.key), \(bind: Role.owner.rawValue), \(bind: now.milliseconds))
            """
        ).run()
        return team
    }

    public func team(id: UUID) async throws -> Team? {
        try await database.withConnection { sql in
            try await sql.raw("\(unsafeRaw: Self.teamQuery) WHERE t.id = \(bind: id.key)").first()?.team()
        }
    }

    /// The teams `userID` belongs to, by name.
    public func teams(of userID: UUID) async throws -> [TeamMembership] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT t.id, t.name, m.role FROM teams t JOIN memberships m ON m.team_id = t.id
                WHERE m.user_id = \(bind: userID.key) ORDER BY t.name_key
                """
            ).all().map {
                TeamMembership(teamID: try $0.uuid("id"), teamName: try $0.string("name"), role: try $0.role("role"))
            }
        }
    }

    /// Every team on the server, with `viewerID`'s role where they are a member.
    public func allTeams(viewer viewerID: UUID) async throws -> [TeamMembership] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT t.id, t.name, m.role FROM teams t
                LEFT JOIN memberships m ON m.team_id = t.id AND m.user_id = \(bind: viewerID.key)
                ORDER BY t.name_key
                """
            ).all().map { row in
                TeamMembership(
                    teamID: try row.uuid("id"), teamName: try row.string("name"),
                    role: try row.optionalString("role").flatMap(Role.init(rawValue:)))
            }
        }
    }

    /// `userID`'s role in `teamID`, or nil when not a member.
    public func role(of userID: UUID, in teamID: UUID) async throws -> Role? {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT role FROM memberships WHERE team_id = \(bind: teamID.key) AND user_id = \(bind: userID.key)
                """
            ).first()?.role("role")
        }
    }

    public func renameTeam(id: UUID, to name: String, now: Date, audit: AuditEntry) async throws -> Team {
        try await write { sql in
            let key = name.lowercased()
            let taken = try await sql.raw(
                "SELECT id FROM teams WHERE name_key = \(bind: key) AND id <> \(bind: id.key)"
            ).first()
            guard taken == nil else { throw StoreError.teamNameTaken }
            try await mapUniqueViolation(to: .teamNameTaken) {
                try await sql.raw(
                    "UPDATE teams SET name = \(bind: name), name_key = \(bind: key) WHERE id = \(bind: id.key)"
                ).run()
            }
            guard
                let team = try await sql.raw("\(unsafeRaw: Self.teamQuery) WHERE t.id = \(bind: id.key)").first()?
                    .team()
            else { throw StoreError.notFound }
            try await insert(audit, at: now, on: sql)
            return team
        }
    }

    /// A team's members: owners first, then by name.
    public func members(of teamID: UUID) async throws -> [Member] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                \(unsafeRaw: Self.memberQuery) WHERE m.team_id = \(bind: teamID.key)
                ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, u.display_name, u.email
                """
            ).all().map { try $0.member() }
        }
    }

    func fetchMember(_ userID: UUID, of teamID: UUID, on sql: any SQLDatabase) async throws -> Member? {
        try await sql.raw(
            """
            \(unsafeRaw: Self.memberQuery) WHERE m.team_id = \(bind: teamID.key) AND m.user_id = \(bind: userID.key)
            """
        ).first()?.member()
    }

    /// Adds an existing user to a team.
    public func addMember(
        _ userID: UUID, to teamID: UUID, role: Role, now: Date, audit: AuditEntry
    ) async throws -> Member {
        try await write { sql in
            let member = try await insertMember(userID, to: teamID, role: role, now: now, on: sql)
            try await insert(audit, at: now, on: sql)
            return member
        }
    }

    func insertMember(_ userID: UUID, to teamID: UUID, role: Role, now: Date, on sql: any SQLDatabase) async throws
        -> Member
    {
        let team = try await sql.raw("SELECT id FROM teams WHERE id = \(bind: teamID.key)").first()
        let user = try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID.key)").first()
        guard team != nil, user != nil else { throw StoreError.notFound }
        guard try await fetchMember(userID, of: teamID, on: sql) == nil else { throw StoreError.alreadyMember }
        try await mapUniqueViolation(to: .alreadyMember) {
            try await sql.raw(
                """
                INSERT INTO memberships (team_id, user_id, role, created_at)
                VALUES (\(bind: teamID.key), \(bind: userID.key), \(bind: role.rawValue), \(bind: now.milliseconds))
                """
            ).run()
        }
        guard let member = try await fetchMember(userID, of: teamID, on: sql) else { throw StoreError.notFound }
        return member
    }

    /// Changes a member's role; refuses to demote the last owner.
    public func setRole(
        of userID: UUID, in teamID: UUID, to role: Role, now: Date, audit: AuditEntry
    ) async throws -> Member {
        try await write { sql in
            try await lockTeam(teamID, on: sql)
            guard let current = try await fetchMember(userID, of: teamID, on: sql) else { throw StoreError.notFound }
            if current.role == .owner, role != .owner {
                try await requireAnotherOwner(besides: userID, in: teamID, on: sql)
            }
            try await sql.raw(
                """
                UPDATE memberships SET role = \(bind: role.rawValue)
                WHERE team_id = \(bind: teamID.key) AND user_id = \(bind: userID.key)
                """
            ).run()
            try await insert(audit, at: now, on: sql)
            var member = current
            member.role = role
            return member
        }
    }

    /// Removes a member; refuses to remove the last owner.
    public func removeMember(_ userID: UUID, from teamID: UUID, now: Date, audit: AuditEntry) async throws {
        try await write { sql in
            try await lockTeam(teamID, on: sql)
            guard let current = try await fetchMember(userID, of: teamID, on: sql) else { throw StoreError.notFound }
            if current.role == .owner {
                try await requireAnotherOwner(besides: userID, in: teamID, on: sql)
            }
            try await sql.raw(
                "DELETE FROM memberships WHERE team_id = \(bind: teamID.key) AND user_id = \(bind: userID.key)"
            ).run()
            try await insert(audit, at: now, on: sql)
        }
    }

    /// Serialises membership changes of one team on PostgreSQL, so two owners demoting each
    /// other at once cannot both pass the last-owner check. (SQLite's `BEGIN IMMEDIATE` already
    /// serialises every write.)
    private func lockTeam(_ teamID: UUID, on sql: any SQLDatabase) async throws {
        guard database.backend == .postgres else { return }
        try await sql.raw("SELECT id FROM teams WHERE id = \(bind: teamID.key) FOR NO KEY UPDATE").run()
    }

    private func requireAnotherOwner(besides userID: UUID, in teamID: UUID, on sql: any SQLDatabase) async throws {
        let others =
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM memberships
                WHERE team_id = \(bind: teamID.key) AND role = 'owner' AND user_id <> \(bind: userID.key)
                """
            ).first()?.int("n") ?? 0
        guard others > 0 else { throw StoreError.lastOwner }
    }
}
