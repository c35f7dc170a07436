import FerryStore

/// `TeamSummary`: a team with the caller's role in it.
struct TeamSummaryDocument: Encodable, Sendable {
    var id: String
    var name: String
    var role: Role?

    init(_ membership: TeamMembership) {
        id = membership.teamID.uuidString.lowercased()
        name = membership.teamName
        role = membership.role
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        // Present as null rather than missing: every key is always there.
        try container.encode(role, forKey: .role)
    }

    enum CodingKeys: String, CodingKey { case id, name, role }
}
