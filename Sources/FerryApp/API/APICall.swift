import FerryStore
import FerryWeb
import Foundation

/// A request that passed its route's rule, with what the gate learned on the way.
struct APICall: Sendable {
    var request: Request
    var principal: Principal?
    var context: ActionContext
    /// The team named in the path, for team routes.
    var teamID: UUID?
    var teamRole: Role?
    /// The scheme the client sees, for cookies.
    var scheme: String
    /// A paired guest, when the caller has no account (routes with the `peer` rule).
    var guest: GuestPass?

    init(
        request: Request, principal: Principal?, context: ActionContext, teamID: UUID? = nil, teamRole: Role? = nil,
        scheme: String
    ) {
        self.request = request
        self.principal = principal
        self.context = context
        self.teamID = teamID
        self.teamRole = teamRole
        self.scheme = scheme
    }

    /// The caller of a route that is not public (the gate let no anonymous request through).
    var caller: Principal {
        get throws {
            guard let principal else {
                throw HTTPError(.unauthorized, detail: "Sign in first.", type: "unauthenticated")
            }
            return principal
        }
    }

    /// A UUID path parameter; a malformed one names nothing, so 404.
    func id(_ name: String) throws -> UUID {
        guard let text = request.parameters[name], let id = UUID(uuidString: text) else {
            throw HTTPError(.notFound, detail: "There is no such thing here.", type: "not-found")
        }
        return id
    }

    var team: UUID {
        get throws {
            guard let teamID else { throw HTTPError(.notFound, detail: "There is no such team.", type: "not-found") }
            return teamID
        }
    }
}
