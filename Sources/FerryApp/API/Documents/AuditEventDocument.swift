import FerryStore
import Foundation

/// `AuditEvent`.
struct AuditEventDocument: Encodable, Sendable {
    var event: AuditEvent

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event.id, forKey: .id)
        try container.encode(event.at, forKey: .at)
        try container.encode(event.action, forKey: .action)
        try container.encode(event.actorID?.uuidString.lowercased(), forKey: .actorID)
        try container.encode(event.teamID?.uuidString.lowercased(), forKey: .teamID)
        try container.encode(event.subject, forKey: .subject)
        try container.encode(event.clientAddress, forKey: .clientAddress)
        try container.encode(event.detail, forKey: .detail)
    }

    enum CodingKeys: String, CodingKey { case id, at, action, actorID, teamID, subject, clientAddress, detail }
}
