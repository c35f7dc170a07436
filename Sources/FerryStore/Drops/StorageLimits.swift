/// What one member, and each of their teams, may hold in uploads and drops (bytes).
public struct StorageLimits: Sendable, Equatable {
    public var userQuota: Int64
    public var teamQuota: Int64

    public init(userQuota: Int64, teamQuota: Int64) {
        self.userQuota = userQuota
        self.teamQuota = teamQuota
    }
}
