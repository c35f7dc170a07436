import FerryStore
import FerryWeb
import Foundation

extension IdentityService {
    public func createInvite(
        to teamID: UUID, role: Role, maxUses rawMaxUses: Int?, expiresInHours: Int?, context: ActionContext
    ) async throws -> CreatedInvite {
        var rules = InputRules()
        let maxUses = rules.integer(rawMaxUses, at: "/maxUses", in: 1...configuration.inviteMaxUses, default: 1) ?? 1
        let maxHours = Int(configuration.inviteMaxLifetime / 3600)
        let hours =
            rules.integer(
                expiresInHours, at: "/expiresInHours", in: 1...maxHours,
                default: Int(configuration.inviteDefaultLifetime / 3600)) ?? 1
        try rules.check()
        let code = SecretToken.generate(byteCount: 24)
        let invite = Invite(
            id: UUID(), teamID: teamID, role: role, maxUses: maxUses, uses: 0, createdBy: context.actorID,
            createdAt: context.now, expiresAt: context.now.addingTimeInterval(Double(hours) * 3600), revokedAt: nil)
        try await store.createInvite(
            invite, codeHash: SecretToken.hash(code),
            audit: context.audit(
                "invite-created", teamID: teamID, subject: invite.id.uuidString.lowercased(),
                detail: "role=\(role.rawValue) maxUses=\(maxUses)"))
        return CreatedInvite(invite: invite, code: code, url: "\(context.origin)/invite/\(code)")
    }

    public func revokeInvite(_ id: UUID, of teamID: UUID, context: ActionContext) async throws {
        try await storeCall {
            try await store.revokeInvite(
                id: id, teamID: teamID, now: context.now,
                audit: context.audit("invite-revoked", teamID: teamID, subject: id.uuidString.lowercased()))
        }
    }

    /// The invite behind a code, or 404 when there is none.
    public func invite(code: String) async throws -> InviteLookup {
        guard SecretToken.isWellFormed(code), let found = try await store.invite(codeHash: SecretToken.hash(code))
        else { throw HTTPError(.notFound, detail: "There is no such invite.", type: "not-found") }
        return found
    }

    /// A signed-in user joins through an invite.
    public func acceptInvite(code: String, as principal: Principal, context: ActionContext) async throws -> Member {
        _ = try await invite(code: code)
        return try await storeCall {
            try await store.acceptInvite(
                codeHash: SecretToken.hash(code), userID: principal.user.id, now: context.now,
                clientAddress: context.clientAddress
            ).1
        }
    }

    /// Someone new joins through an invite: the account is made, joined and signed in.
    public func acceptInvite(
        code: String, email rawEmail: String?, displayName rawName: String?, password rawPassword: String?,
        replacing presented: String?, context: ActionContext
    ) async throws -> SignedIn {
        var rules = InputRules()
        let email = rules.email(rawEmail, at: "/email")
        let name = rules.name(rawName, at: "/displayName", what: "The display name")
        let password = rules.password(rawPassword, at: "/password")
        try rules.check()
        let found = try await invite(code: code)
        guard found.invite.isValid(at: context.now) else { throw StoreError.inviteInvalid.httpError }
        let hash = try await hasher.hash(password)
        let (user, _, _) = try await storeCall {
            try await store.acceptInvite(
                codeHash: SecretToken.hash(code),
                creating: NewUser(email: email, displayName: name, passwordHash: hash), now: context.now,
                clientAddress: context.clientAddress)
        }
        return try await startSession(for: user, replacing: presented, context: context, action: "sign-in")
    }
}
