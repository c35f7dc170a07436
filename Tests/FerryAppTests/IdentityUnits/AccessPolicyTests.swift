import FerryStore
import Foundation
import HTTPTypes
import Testing

@testable import FerryApp

@Suite("Access policy")
struct AccessPolicyTests {
    static let now = Date()
    static func person(admin: Bool = false) -> User {
        User(id: UUID(), email: "a@example.org", displayName: "A", isAdmin: admin, disabled: false, createdAt: now)
    }
    static func session(admin: Bool = false) -> Principal {
        Principal(user: person(admin: admin), credential: .session(tokenHash: "h"))
    }
    static func token(_ scopes: Set<Scope>, admin: Bool = false) -> Principal {
        Principal(user: person(admin: admin), credential: .token(id: UUID(), scopes: scopes))
    }

    @Test func scopesNest() {
        #expect(Self.token([.admin]).has(.read))
        #expect(Self.token([.admin]).has(.write))
        #expect(Self.token([.write]).has(.read))
        #expect(!Self.token([.write]).has(.admin))
        #expect(!Self.token([.read]).has(.write))
        #expect(Self.session().has(.admin))
    }

    @Test func teamRules() {
        let member = Self.session()
        #expect(AccessPolicy.decide(rule: .teamMember, method: .get, principal: member, teamRole: .member) == .allow)
        #expect(AccessPolicy.decide(rule: .teamMember, method: .get, principal: member, teamRole: nil) == .hidden)
        if case .forbidden = AccessPolicy.decide(rule: .teamOwner, method: .post, principal: member, teamRole: .member)
        {
        } else {
            Issue.record("a member is not an owner")
        }
        #expect(
            AccessPolicy.decide(rule: .teamOwner, method: .delete, principal: member, teamRole: .member, isSelf: true)
                == .allow)
        #expect(AccessPolicy.decide(rule: .teamOwner, method: .post, principal: Self.session(admin: true)) == .allow)
        // A read token of an owner cannot change the team.
        if case .forbidden = AccessPolicy.decide(
            rule: .teamOwner, method: .patch, principal: Self.token([.read]), teamRole: .owner)
        {
        } else {
            Issue.record("read scope must not write")
        }
        #expect(AccessPolicy.decide(rule: .teamOwner, method: .get, principal: nil) == .unauthenticated)
    }

    @Test func adminAndSessionRules() {
        #expect(AccessPolicy.decide(rule: .admin, method: .get, principal: Self.session(admin: true)) == .allow)
        #expect(AccessPolicy.decide(rule: .admin, method: .get, principal: Self.token([.admin], admin: true)) == .allow)
        #expect(AccessPolicy.decide(rule: .admin, method: .get, principal: Self.token([.write], admin: true)) != .allow)
        #expect(AccessPolicy.decide(rule: .admin, method: .get, principal: Self.token([.admin])) != .allow)
        #expect(AccessPolicy.decide(rule: .session, method: .put, principal: Self.token([.admin])) != .allow)
        #expect(
            AccessPolicy.decide(rule: .sessionOrAdminToken, method: .get, principal: Self.token([.admin])) == .allow)
        #expect(
            AccessPolicy.decide(rule: .sessionOrAdminToken, method: .get, principal: Self.token([.write])) != .allow)
        #expect(AccessPolicy.decide(rule: .public, method: .post, principal: nil) == .allow)
        #expect(AccessPolicy.decide(rule: .signedIn, method: .get, principal: nil) == .unauthenticated)
    }
}
