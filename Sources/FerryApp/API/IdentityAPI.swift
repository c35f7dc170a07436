import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

/// The JSON API of teams and accounts under `/api/v1` (docs/IDENTITY.md), registered through
/// ``GatedRoutes`` with each route's rule.
public struct IdentityAPI: Sendable {
    public let service: IdentityService
    public let gate: AccessGate

    public init(service: IdentityService, gate: AccessGate) {
        self.service = service
        self.gate = gate
    }

    /// Registers every route behind the gate.
    public func register(on routes: GatedRoutes) {
        registerSession(on: routes)
        registerTeams(on: routes)
        registerAdmin(on: routes)
    }

    /// The `Set-Cookie` value that carries a new session.
    static func sessionCookie(_ signedIn: SignedIn, scheme: String) -> String {
        SetCookie(
            name: IdentityConfiguration.sessionCookieName(scheme: scheme), value: signedIn.sessionToken,
            maxAge: signedIn.maxAge,
            secure: scheme == "https"
        ).fieldValue
    }

    static func clearedCookie(scheme: String) -> String {
        SetCookie.expired(IdentityConfiguration.sessionCookieName(scheme: scheme), secure: scheme == "https").fieldValue
    }

    static let noContent = Response(status: .noContent)
}
