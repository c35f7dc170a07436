import FerryStore
import FerryWeb
import Foundation

extension IdentityService {
    /// Creates a team; its owner is `ownerID` or the caller.
    public func createTeam(name rawName: String?, ownerID: UUID?, context: ActionContext) async throws -> Team {
        var rules = InputRules()
        let name = rules.name(rawName, at: "/name", what: "The team name")
        try rules.check()
        guard let owner = ownerID ?? context.actorID else {
            throw HTTPError(.badRequest, detail: "Name the team's owner.", type: "invalid-request")
        }
        return try await storeCall {
            try await store.createTeam(
                name: name, ownerID: owner, now: context.now, audit: context.audit("team-created", detail: name))
        }
    }

    /// Creates a team owned by the user with `ownerEmail` (the admin's page names the owner by email).
    public func createTeam(name rawName: String?, ownerEmail rawEmail: String?, context: ActionContext) async throws
        -> Team
    {
        var rules = InputRules()
        _ = rules.name(rawName, at: "/name", what: "The team name")
        _ = rules.email(rawEmail, at: "/owner")
        try rules.check()
        let owner = try await existingUser(
            email: rawEmail, at: "/owner", otherwise: "No user has this email: the owner must have an account.")
        return try await createTeam(name: rawName, ownerID: owner.id, context: context)
    }

    /// The user with this email, or a 404 naming the form field (one sentence for the page and the
    /// field: the page says it once, PageState); a disabled account is a 409.
    func existingUser(email rawEmail: String?, at pointer: String, otherwise detail: String) async throws -> User {
        var rules = InputRules()
        let email = rules.email(rawEmail, at: pointer)
        try rules.check()
        guard let user = try await store.user(email: email) else {
            throw HTTPError(
                .notFound, detail: detail, type: "not-found", errors: [.init(pointer: pointer, detail: detail)])
        }
        // A member or owner who cannot sign in would be one in name only (and an only owner
        // nobody can act for).
        guard !user.disabled else {
            let disabled = "This account is disabled: a server admin enables it first."
            throw HTTPError(
                .conflict, detail: disabled, type: "account-disabled",
                errors: [.init(pointer: pointer, detail: disabled)])
        }
        return user
    }

    public func renameTeam(_ teamID: UUID, name rawName: String?, context: ActionContext) async throws -> Team {
        var rules = InputRules()
        let name = rules.name(rawName, at: "/name", what: "The team name")
        try rules.check()
        return try await storeCall {
            try await store.renameTeam(
                id: teamID, to: name, now: context.now,
                audit: context.audit(
                    "team-renamed", teamID: teamID, subject: teamID.uuidString.lowercased(), detail: name))
        }
    }

    /// Adds an existing user, by email, to a team.
    public func addMember(
        to teamID: UUID, email rawEmail: String?, role: Role, context: ActionContext
    ) async throws -> Member {
        let user = try await existingUser(
            email: rawEmail, at: "/email", otherwise: "No user has this email; invite them instead.")
        return try await storeCall {
            try await store.addMember(
                user.id, to: teamID, role: role, now: context.now,
                audit: context.audit(
                    "member-added", teamID: teamID, subject: user.id.uuidString.lowercased(),
                    detail: "role=\(role.rawValue)"))
        }
    }

    public func setRole(of userID: UUID, in teamID: UUID, to role: Role, context: ActionContext) async throws -> Member
    {
        try await storeCall {
            try await store.setRole(
                of: userID, in: teamID, to: role, now: context.now,
                audit: context.audit(
                    "role-changed", teamID: teamID, subject: userID.uuidString.lowercased(),
                    detail: "role=\(role.rawValue)"))
        }
    }

    public func removeMember(_ userID: UUID, from teamID: UUID, context: ActionContext) async throws {
        try await storeCall {
            try await store.removeMember(
                userID, from: teamID, now: context.now,
                audit: context.audit("member-removed", teamID: teamID, subject: userID.uuidString.lowercased()))
        }
    }

    /// The team, or 404.
    public func team(_ teamID: UUID) async throws -> Team {
        guard let team = try await store.team(id: teamID) else { throw StoreError.notFound.httpError }
        return team
    }
}
