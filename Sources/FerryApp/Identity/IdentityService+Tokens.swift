import FerryStore
import FerryWeb
import Foundation

extension IdentityService {
    /// Creates a personal API token for `userID`.
    public func createToken(
        for userID: UUID, name rawName: String?, scopes rawScopes: [String]?, expiresInDays: Int?,
        context: ActionContext
    ) async throws -> CreatedToken {
        var rules = InputRules()
        let name = rules.name(rawName, at: "/name", what: "The token name")
        var scopes = Set<Scope>()
        if let rawScopes, !rawScopes.isEmpty {
            for (index, raw) in rawScopes.enumerated() {
                if let scope = Scope(rawValue: raw) {
                    scopes.insert(scope)
                } else {
                    rules.fail("/scopes/\(index)", "Unknown scope; use read, write or admin.")
                }
            }
        } else {
            rules.fail("/scopes", "Choose at least one scope: read, write or admin.")
        }
        let days = rules.integer(
            expiresInDays, at: "/expiresInDays", in: 1...configuration.tokenMaxLifetimeDays, default: nil)
        try rules.check()
        let secret = IdentityConfiguration.tokenPrefix + SecretToken.generate()
        let token = APIToken(
            id: UUID(), userID: userID, name: name, scopes: scopes,
            prefix: String(secret.prefix(IdentityConfiguration.tokenPrefix.count + 4)), createdAt: context.now,
            expiresAt: days.map { context.now.addingTimeInterval(Double($0) * 86400) }, lastUsedAt: nil,
            revokedAt: nil)
        try await store.createToken(
            token, secretHash: SecretToken.hash(secret),
            audit: context.audit("token-created", subject: token.id.uuidString.lowercased(), detail: name))
        return CreatedToken(token: token, secret: secret)
    }

    public func revokeToken(_ id: UUID, of userID: UUID, context: ActionContext) async throws {
        try await storeCall {
            try await store.revokeToken(
                id: id, userID: userID, now: context.now,
                audit: context.audit("token-revoked", subject: id.uuidString.lowercased()))
        }
    }
}
