import FerryStore
import Foundation

/// `Token`, with its `secret` only in the answer that created it.
struct TokenDocument: Encodable, Sendable {
    var id: String
    var name: String
    var scopes: [Scope]
    var prefix: String
    var createdAt: Date
    var expiresAt: Date?
    var lastUsedAt: Date?
    var secret: String?

    init(_ token: APIToken, secret: String? = nil) {
        id = token.id.uuidString.lowercased()
        name = token.name
        scopes = token.scopes.sorted()
        prefix = token.prefix
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        self.secret = secret
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encodeIfPresent(secret, forKey: .secret)
    }

    enum CodingKeys: String, CodingKey { case id, name, scopes, prefix, createdAt, expiresAt, lastUsedAt, secret }
}
