import Foundation
import SQLKit

/// An invite found by its code, with the name of its team.
public struct InviteLookup: Sendable {
    public var invite: Invite
    public var teamName: String
}

extension IdentityStore {
    static let inviteColumns =
        "id, team_id, role, max_uses, uses, created_by, created_at, expires_at, revoked_at"

    public func createInvite(_ invite: Invite, codeHash: String, audit: AuditEntry) async throws {
        try await write { sql in
            try await sql.raw(
                """
                INSERT INTO invites (id, team_id, code_hash, role, max_uses, uses, created_by, created_at,
                    expires_at)
                VALUES (\(bind: invite.id.key), \(bind: invite.teamID.key), \(bind: codeHash),
                    \(bind: invite.role.rawValue), \(bind: invite.maxUses), \(bind: 0), \(bind: invite.createdBy?.key),
                    \(bind: invite.createdAt.milliseconds), \(bind: invite.expiresAt.milliseconds))
                """
            ).run()
            try await insert(audit, at: invite.createdAt, on: sql)
        }
    }

    /// A team's invites, newest first.
    public func invites(teamID: UUID) async throws -> [Invite] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.inviteColumns) FROM invites
                WHERE team_id = \(bind: teamID.key) ORDER BY created_at DESC
                """
            ).all().map { try $0.invite() }
        }
    }

    public func invite(codeHash: String) async throws -> InviteLookup? {
        try await database.withConnection { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT i.id, i.team_id, i.role, i.max_uses, i.uses, i.created_by, i.created_at, i.expires_at,
                        i.revoked_at, t.name AS team_name
                    FROM invites i JOIN teams t ON t.id = i.team_id
                    WHERE i.code_hash = \(bind: codeHash)
                    """
                ).first()
            else { return nil }
            return InviteLookup(invite: try row.invite(), teamName: try row.string("team_name"))
        }
    }

    public func revokeInvite(id: UUID, teamID: UUID, now: Date, audit: AuditEntry) async throws {
        try await write { sql in
            let revoked = try await sql.raw(
                """
                UPDATE invites SET revoked_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id.key) AND team_id = \(bind: teamID.key) AND revoked_at IS NULL
                RETURNING id
                """
            ).all()
            guard !revoked.isEmpty else { throw StoreError.notFound }
            try await insert(audit, at: now, on: sql)
        }
    }

    /// An existing user joins through an invite: one use is taken and the membership made in
    /// one transaction, so an invite is never over-used and a failed join uses nothing.
    public func acceptInvite(
        codeHash: String, userID: UUID, now: Date, clientAddress: String?
    ) async throws -> (Invite, Member) {
        try await write { sql in
            try await join(codeHash: codeHash, userID: userID, now: now, clientAddress: clientAddress, on: sql)
        }
    }

    /// Someone new joins through an invite: the account, the use and the membership are made
    /// together or not at all.
    public func acceptInvite(
        codeHash: String, creating newUser: NewUser, now: Date, clientAddress: String?
    ) async throws -> (User, Invite, Member) {
        try await write { sql in
            // Check the invite first, so a stale link does not claim the email.
            try await requireValidInvite(codeHash: codeHash, now: now, on: sql)
            let user = try await insertUser(newUser, now: now, on: sql)
            try await insert(
                AuditEntry("user-created", actorID: user.id, subject: user.id.key, clientAddress: clientAddress),
                at: now, on: sql)
            let (invite, member) = try await join(
                codeHash: codeHash, userID: user.id, now: now, clientAddress: clientAddress, on: sql)
            return (user, invite, member)
        }
    }

    private func requireValidInvite(codeHash: String, now: Date, on sql: any SQLDatabase) async throws {
        let row = try await sql.raw(
            "SELECT \(unsafeRaw: Self.inviteColumns) FROM invites WHERE code_hash = \(bind: codeHash)"
        ).first()
        guard let invite = try row?.invite(), invite.isValid(at: now) else { throw StoreError.inviteInvalid }
    }

    private func join(
        codeHash: String, userID: UUID, now: Date, clientAddress: String?, on sql: any SQLDatabase
    ) async throws -> (Invite, Member) {
        // The conditional update is the check: it takes a use only while the invite is valid.
        guard
            let row = try await sql.raw(
                """
                UPDATE invites SET uses = uses + 1
                WHERE code_hash = \(bind: codeHash) AND revoked_at IS NULL AND uses < max_uses
                    AND expires_at > \(bind: now.milliseconds)
                RETURNING \(unsafeRaw: Self.inviteColumns)
                """
            ).first()
        else { throw StoreError.inviteInvalid }
        let invite = try row.invite()
        let member = try await insertMember(userID, to: invite.teamID, role: invite.role, now: now, on: sql)
        try await insert(
            AuditEntry(
                "invite-accepted", actorID: userID, teamID: invite.teamID, subject: invite.id.key,
                clientAddress: clientAddress),
            at: now, on: sql)
        try await insert(
            AuditEntry(
                "member-added", actorID: userID, teamID: invite.teamID, subject: userID.key,
                clientAddress: clientAddress, detail: "role=\(invite.role.rawValue) via invite"),
            at: now, on: sql)
        return (invite, member)
    }
}
