import Foundation

/// One security event, as stored.
public struct AuditEvent: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var at: Date
    public var action: String
    public var actorID: UUID?
    public var teamID: UUID?
    public var subject: String?
    public var clientAddress: String?
    public var detail: String?

    public init(
        id: Int64, at: Date, action: String, actorID: UUID?, teamID: UUID?, subject: String?, clientAddress: String?,
        detail: String?
    ) {
        self.id = id
        self.at = at
        self.action = action
        self.actorID = actorID
        self.teamID = teamID
        self.subject = subject
        self.clientAddress = clientAddress
        self.detail = detail
    }
}
