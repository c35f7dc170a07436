import Foundation

/// A security event to record, written in the same transaction as the change it describes.
public struct AuditEntry: Sendable, Equatable {
    public var action: String
    public var actorID: UUID?
    public var teamID: UUID?
    public var subject: String?
    public var clientAddress: String?
    public var detail: String?

    public init(
        _ action: String, actorID: UUID? = nil, teamID: UUID? = nil, subject: String? = nil,
        clientAddress: String? = nil, detail: String? = nil
    ) {
        self.action = action
        self.actorID = actorID
        self.teamID = teamID
        self.subject = subject
        self.clientAddress = clientAddress
        self.detail = detail
    }
}
