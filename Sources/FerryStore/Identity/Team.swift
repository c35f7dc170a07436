import Foundation

/// A group of people who see each other's peers and drops.
public struct Team: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var name: String
    public var createdAt: Date
    public var memberCount: Int

    public init(id: UUID, name: String, createdAt: Date, memberCount: Int) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.memberCount = memberCount
    }
}
