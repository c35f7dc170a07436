import FerryStore
import FerryWeb
import Foundation

extension IdentityService {
    /// A server admin (or the CLI) creates an account.
    public func createUser(
        email rawEmail: String?, displayName rawName: String?, password rawPassword: String?, isAdmin: Bool,
        context: ActionContext
    ) async throws -> User {
        var rules = InputRules()
        let email = rules.email(rawEmail, at: "/email")
        let name = rules.name(rawName, at: "/displayName", what: "The display name")
        let password = rules.password(rawPassword, at: "/password")
        try rules.check()
        let hash = try await hasher.hash(password)
        return try await storeCall {
            try await store.createUser(
                NewUser(email: email, displayName: name, passwordHash: hash, isAdmin: isAdmin), now: context.now,
                audit: context.audit("user-created", detail: isAdmin ? "admin" : nil))
        }
    }

    /// A server admin changes a user; disabling ends their sessions at once.
    public func updateUser(
        _ id: UUID, displayName rawName: String?, isAdmin: Bool?, disabled: Bool?, context: ActionContext
    ) async throws -> User {
        var rules = InputRules()
        let name = rawName.map { rules.name($0, at: "/displayName", what: "The display name") }
        try rules.check()
        if id == context.actorID, disabled == true || isAdmin == false {
            throw HTTPError(
                .conflict, detail: "You cannot disable yourself or drop your own admin role.", type: "self-lockout")
        }
        var audit: [AuditEntry] = []
        let subject = id.uuidString.lowercased()
        if let disabled { audit.append(context.audit(disabled ? "user-disabled" : "user-enabled", subject: subject)) }
        if name != nil || isAdmin != nil {
            audit.append(context.audit("user-updated", subject: subject, detail: isAdmin.map { "isAdmin=\($0)" }))
        }
        return try await storeCall {
            try await store.updateUser(
                id: id, displayName: name, isAdmin: isAdmin, disabled: disabled, now: context.now, audit: audit)
        }
    }

    /// A server admin (or the CLI) sets a new password; the user's sessions end.
    public func resetPassword(of id: UUID, to rawPassword: String?, context: ActionContext) async throws {
        var rules = InputRules()
        let password = rules.password(rawPassword, at: "/password")
        try rules.check()
        let hash = try await hasher.hash(password)
        try await storeCall {
            try await store.setPassword(
                userID: id, hash: hash, keepingSession: nil, now: context.now,
                audit: context.audit("password-changed", subject: id.uuidString.lowercased(), detail: "reset by admin"))
        }
    }

    /// One page of the audit log.
    public func auditEvents(teamID: UUID?, before: Int64?, limit: Int?) async throws -> [AuditEvent] {
        let size = min(max(1, limit ?? configuration.auditPageSize), configuration.auditMaxPageSize)
        return try await store.auditEvents(teamID: teamID, before: before, limit: size)
    }
}
