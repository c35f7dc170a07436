import FerryStore
import Foundation

/// `Team`.
struct TeamDocument: Encodable, Sendable {
    var id: String
    var name: String
    var createdAt: Date
    var role: Role?
    var memberCount: Int

    init(_ team: Team, role: Role?) {
        id = team.id.uuidString.lowercased()
        name = team.name
        createdAt = team.createdAt
        self.role = role
        memberCount = team.memberCount
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(role, forKey: .role)
        try container.encode(memberCount, forKey: .memberCount)
    }

    enum CodingKeys: String, CodingKey { case id, name, createdAt, role, memberCount }
}
