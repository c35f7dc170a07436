import FerryStore
import Foundation

/// `Invite`, with `code` and `url` only in the answer that created it.
struct InviteDocument: Encodable, Sendable {
    var invite: Invite
    var code: String?
    var url: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(invite.id.uuidString.lowercased(), forKey: .id)
        try container.encode(invite.teamID.uuidString.lowercased(), forKey: .teamID)
        try container.encode(invite.role, forKey: .role)
        try container.encode(invite.maxUses, forKey: .maxUses)
        try container.encode(invite.uses, forKey: .uses)
        try container.encode(invite.createdAt, forKey: .createdAt)
        try container.encode(invite.expiresAt, forKey: .expiresAt)
        try container.encode(invite.revokedAt, forKey: .revokedAt)
        try container.encode(invite.createdBy?.uuidString.lowercased(), forKey: .createdBy)
        try container.encodeIfPresent(code, forKey: .code)
        try container.encodeIfPresent(url, forKey: .url)
    }

    enum CodingKeys: String, CodingKey {
        case id, teamID, role, maxUses, uses, createdAt, expiresAt, revokedAt, createdBy, code, url
    }
}
