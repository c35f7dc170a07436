import FerryApp
import FerryServer
import FerryStore
import Foundation

/// A live server with a cast of people, made through the same service the API uses:
/// - `root`: server admin and owner of team Alpha; the API tokens belong to root;
/// - `owner` (owner of Alpha), `member` (member of Alpha), `victim` (member of Alpha, the target of
///   changes), `other` (owner of team Beta only), `admin` (server admin, in no team).
struct IdentityFixture: Sendable {
    let live: LiveServer
    let clock: TestClock
    let service: IdentityService
    var client: APIClient { APIClient(live: live) }

    let alpha: Team
    let beta: Team
    let users: [String: User]
    /// Session tokens by person.
    let sessions: [String: String]
    /// Root's API tokens by scope name.
    let tokens: [String: String]
    let inviteCode: String
    static let password = "correct horse battery"

    static func start(
        _ backend: StoreBackend = .sqlite, configure: @escaping @Sendable (inout FerryConfiguration) -> Void = { _ in }
    ) async throws -> IdentityFixture {
        let clock = TestClock()
        let location = try await backend.makeLocation()
        let live = try await LiveServer.start { configuration in
            configuration.database = location
            configuration.identity.passwordParameters = .testing
            configuration.clock = { clock.now }
            configure(&configuration)
        }
        let service = live.server.identity
        let context = ActionContext.commandLine(now: clock.now)
        var users: [String: User] = [:]
        for (name, admin) in [
            ("root", true), ("owner", false), ("member", false), ("victim", false), ("other", false), ("admin", true),
        ] {
            users[name] = try await service.createUser(
                email: "\(name)@example.org", displayName: name.capitalized, password: password, isAdmin: admin,
                context: context)
        }
        let alpha = try await service.createTeam(name: "Alpha", ownerID: users["root"]!.id, context: context)
        let beta = try await service.createTeam(name: "Beta", ownerID: users["other"]!.id, context: context)
        _ = try await service.addMember(to: alpha.id, email: "owner@example.org", role: .owner, context: context)
        _ = try await service.addMember(to: alpha.id, email: "member@example.org", role: .member, context: context)
        _ = try await service.addMember(to: alpha.id, email: "victim@example.org", role: .member, context: context)
        var sessions: [String: String] = [:]
        for name in users.keys {
            sessions[name] =
                try await service.signIn(
                    email: "\(name)@example.org", password: password, replacing: nil,
                    context: ActionContext(principal: nil, clientAddress: "fixture-\(name)", now: clock.now)
                ).sessionToken
        }
        var tokens: [String: String] = [:]
        for scope in ["read", "write", "admin"] {
            tokens[scope] =
                try await service.createToken(
                    for: users["root"]!.id, name: scope, scopes: [scope], expiresInDays: nil, context: context
                ).secret
        }
        let invite = try await service.createInvite(
            to: alpha.id, role: .member, maxUses: 100, expiresInHours: 24,
            context: ActionContext(principal: nil, origin: "http://127.0.0.1:\(live.port)", now: clock.now))
        return IdentityFixture(
            live: live, clock: clock, service: service, alpha: alpha, beta: beta, users: users, sessions: sessions,
            tokens: tokens, inviteCode: invite.code)
    }

    func user(_ name: String) -> User { users[name]! }

    /// A browser session of `name`, sending the right Origin.
    func session(_ name: String) -> APIClient.Credential {
        .session(sessions[name]!, origin: client.origin)
    }

    func stop() async { await live.stop() }
}
