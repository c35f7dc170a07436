import FerryStore
import Foundation

/// Who acts, from where and when: what every identity operation needs for its checks and its
/// audit entry.
public struct ActionContext: Sendable {
    public var principal: Principal?
    public var clientAddress: String?
    public var userAgent: String?
    /// `https://ferry.example.org`: for links in answers (invites).
    public var origin: String
    public var now: Date

    public init(
        principal: Principal?, clientAddress: String? = nil, userAgent: String? = nil, origin: String = "",
        now: Date = Date()
    ) {
        self.principal = principal
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.origin = origin
        self.now = now
    }

    /// The command line acts as nobody in particular.
    public static func commandLine(now: Date = Date()) -> ActionContext {
        ActionContext(principal: nil, clientAddress: "cli", origin: "", now: now)
    }

    var actorID: UUID? { principal?.user.id }

    func audit(_ action: String, teamID: UUID? = nil, subject: String? = nil, detail: String? = nil) -> AuditEntry {
        AuditEntry(
            action, actorID: actorID, teamID: teamID, subject: subject, clientAddress: clientAddress, detail: detail)
    }
}
