import Foundation
import SQLKit
import Testing

@testable import FerryStore

@Suite struct IdentityStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func user(_ store: IdentityStore, _ email: String, admin: Bool = false) async throws -> User {
        try await store.createUser(
            NewUser(
                email: email, displayName: email.components(separatedBy: "@")[0], passwordHash: "h", isAdmin: admin),
            now: now, audit: AuditEntry("user-created"))
    }

    func auditCount(_ store: IdentityStore) async throws -> Int {
        try await store.auditEvents(limit: 1000).count
    }

    @Test(arguments: TestBackend.available)
    func usersHaveUniqueCaseInsensitiveEmails(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "Ann@Example.org")
            #expect(ann.email == "ann@example.org")
            #expect(try await store.user(email: "ANN@example.org")?.id == ann.id)
            #expect(try await store.credentials(email: "ann@example.org")?.passwordHash == "h")
            let before = try await auditCount(store)
            await #expect(throws: StoreError.emailTaken) { _ = try await user(store, "ann@EXAMPLE.org") }
            #expect(try await store.countUsers() == 1)
            #expect(try await auditCount(store) == before, "a refused write records nothing")
            #expect(try await store.user(id: UUID()) == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func teamsStartWithTheirOwnerAndKeepOne(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "ann@example.org")
            let bob = try await user(store, "bob@example.org")
            let team = try await store.createTeam(
                name: "Design", ownerID: ann.id, now: now, audit: AuditEntry("team-created", actorID: ann.id))
            #expect(team.memberCount == 1)
            #expect(try await store.role(of: ann.id, in: team.id) == .owner)
            #expect(try await store.teams(of: ann.id).map(\.teamName) == ["Design"])
            await #expect(throws: StoreError.teamNameTaken) {
                _ = try await store.createTeam(name: "design", ownerID: bob.id, now: now, audit: AuditEntry("x"))
            }
            _ = try await store.addMember(
                bob.id, to: team.id, role: .member, now: now, audit: AuditEntry("member-added"))
            await #expect(throws: StoreError.alreadyMember) {
                _ = try await store.addMember(bob.id, to: team.id, role: .owner, now: now, audit: AuditEntry("x"))
            }
            #expect(try await store.members(of: team.id).map(\.email) == ["ann@example.org", "bob@example.org"])
            // The only owner can be neither demoted nor removed.
            await #expect(throws: StoreError.lastOwner) {
                _ = try await store.setRole(of: ann.id, in: team.id, to: .member, now: now, audit: AuditEntry("x"))
            }
            await #expect(throws: StoreError.lastOwner) {
                try await store.removeMember(ann.id, from: team.id, now: now, audit: AuditEntry("x"))
            }
            #expect(try await store.role(of: ann.id, in: team.id) == .owner)
            // With a second owner, the first may step down.
            _ = try await store.setRole(
                of: bob.id, in: team.id, to: .owner, now: now, audit: AuditEntry("role-changed"))
            _ = try await store.setRole(
                of: ann.id, in: team.id, to: .member, now: now, audit: AuditEntry("role-changed"))
            try await store.removeMember(ann.id, from: team.id, now: now, audit: AuditEntry("member-removed"))
            #expect(try await store.members(of: team.id).map(\.email) == ["bob@example.org"])
            #expect(try await store.team(id: team.id)?.memberCount == 1)
            // Renaming checks the name too.
            _ = try await store.createTeam(name: "Ops", ownerID: bob.id, now: now, audit: AuditEntry("team-created"))
            await #expect(throws: StoreError.teamNameTaken) {
                _ = try await store.renameTeam(id: team.id, to: "OPS", now: now, audit: AuditEntry("x"))
            }
            #expect(
                try await store.renameTeam(id: team.id, to: "Design Team", now: now, audit: AuditEntry("team-renamed"))
                    .name == "Design Team")
            let all = try await store.allTeams(viewer: ann.id)
            #expect(all.map(\.teamName) == ["Design Team", "Ops"])
            #expect(all.allSatisfy { $0.role == nil })
        }
    }

    @Test(arguments: TestBackend.available)
    func sessionsAreFoundByHashAndEndTogether(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "ann@example.org")
            func session(_ hash: String) -> Session {
                Session(
                    tokenHash: hash, userID: ann.id, createdAt: now, lastSeenAt: now,
                    expiresAt: now.addingTimeInterval(3600), clientAddress: "127.0.0.1", userAgent: "test")
            }
            try await store.createSession(session("a"), replacing: nil, audit: AuditEntry("sign-in"))
            try await store.createSession(session("b"), replacing: nil, audit: nil)
            // Signing in again from the browser holding "b" replaces it.
            try await store.createSession(session("c"), replacing: "b", audit: nil)
            #expect(try await store.session(tokenHash: "b") == nil)
            let found = try #require(try await store.session(tokenHash: "a"))
            #expect(found.user.id == ann.id)
            #expect(found.session.expiresAt == now.addingTimeInterval(3600))
            try await store.touchSession(tokenHash: "a", now: now.addingTimeInterval(60))
            #expect(try await store.session(tokenHash: "a")?.session.lastSeenAt == now.addingTimeInterval(60))
            // A password change keeps only the session that made it.
            try await store.setPassword(userID: ann.id, hash: "h2", keepingSession: "c", now: now, audit: nil)
            #expect(try await store.session(tokenHash: "a") == nil)
            #expect(try await store.session(tokenHash: "c") != nil)
            #expect(try await store.passwordHash(userID: ann.id) == "h2")
            // Disabling the user ends the rest.
            let disabled = try await store.updateUser(
                id: ann.id, disabled: true, now: now, audit: [AuditEntry("user-disabled")])
            #expect(disabled.disabled)
            #expect(try await store.sessions(userID: ann.id).isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func expiredSessionsAreSweptAway(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "ann@example.org")
            let fresh = Session(
                tokenHash: "fresh", userID: ann.id, createdAt: now, lastSeenAt: now,
                expiresAt: now.addingTimeInterval(100), clientAddress: nil, userAgent: nil)
            var idle = fresh
            idle.tokenHash = "idle"
            idle.lastSeenAt = now.addingTimeInterval(-1000)
            var ended = fresh
            ended.tokenHash = "ended"
            ended.expiresAt = now
            for session in [fresh, idle, ended] {
                try await store.createSession(session, replacing: nil, audit: nil)
            }
            let removed = try await store.deleteExpiredSessions(now: now, idleBefore: now.addingTimeInterval(-500))
            #expect(removed == 2)
            #expect(try await store.sessions(userID: ann.id).map(\.tokenHash) == ["fresh"])
        }
    }

    @Test(arguments: TestBackend.available)
    func tokensAreRevokedOnce(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "ann@example.org")
            let bob = try await user(store, "bob@example.org")
            let token = APIToken(
                id: UUID(), userID: ann.id, name: "laptop", scopes: [.read, .write], prefix: "ferry_ab", createdAt: now,
                expiresAt: now.addingTimeInterval(86400), lastUsedAt: nil, revokedAt: nil)
            try await store.createToken(token, secretHash: "s1", audit: AuditEntry("token-created"))
            let found = try #require(try await store.token(secretHash: "s1"))
            #expect(found.token == token)
            #expect(found.user.email == "ann@example.org")
            try await store.touchToken(id: token.id, now: now.addingTimeInterval(5))
            #expect(try await store.tokens(userID: ann.id).first?.lastUsedAt == now.addingTimeInterval(5))
            // Only the owner can revoke it, and only once.
            await #expect(throws: StoreError.notFound) {
                try await store.revokeToken(id: token.id, userID: bob.id, now: now, audit: AuditEntry("x"))
            }
            try await store.revokeToken(id: token.id, userID: ann.id, now: now, audit: AuditEntry("token-revoked"))
            await #expect(throws: StoreError.notFound) {
                try await store.revokeToken(id: token.id, userID: ann.id, now: now, audit: AuditEntry("x"))
            }
            #expect(try await store.tokens(userID: ann.id).isEmpty)
            #expect(try await store.token(secretHash: "s1")?.token.revokedAt == now)
        }
    }

    @Test(arguments: TestBackend.available)
    func invitesAreUsedAtMostMaxUsesTimes(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "ann@example.org")
            let team = try await store.createTeam(name: "Design", ownerID: ann.id, now: now, audit: AuditEntry("x"))
            let invite = Invite(
                id: UUID(), teamID: team.id, role: .member, maxUses: 1, uses: 0, createdBy: ann.id, createdAt: now,
                expiresAt: now.addingTimeInterval(3600), revokedAt: nil)
            try await store.createInvite(invite, codeHash: "code", audit: AuditEntry("invite-created"))
            #expect(try await store.invite(codeHash: "code")?.teamName == "Design")
            // Five people race for a one-use invite: exactly one gets in.
            var candidates: [User] = []
            for index in 0..<5 { candidates.append(try await user(store, "p\(index)@example.org")) }
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for candidate in candidates {
                    group.addTask {
                        (try? await store.acceptInvite(
                            codeHash: "code", userID: candidate.id, now: now, clientAddress: nil)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.invite(codeHash: "code")?.invite.uses == 1)
            #expect(try await store.members(of: team.id).count == 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func expiredRevokedAndRefusedInvitesChangeNothing(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await user(store, "ann@example.org")
            let team = try await store.createTeam(name: "Design", ownerID: ann.id, now: now, audit: AuditEntry("x"))
            let invite = Invite(
                id: UUID(), teamID: team.id, role: .owner, maxUses: 5, uses: 0, createdBy: ann.id, createdAt: now,
                expiresAt: now.addingTimeInterval(3600), revokedAt: nil)
            try await store.createInvite(invite, codeHash: "code", audit: AuditEntry("invite-created"))
            // Someone new whose email is taken: no account, no use of the invite.
            await #expect(throws: StoreError.emailTaken) {
                _ = try await store.acceptInvite(
                    codeHash: "code", creating: NewUser(email: "ANN@example.org", displayName: "A", passwordHash: "h"),
                    now: now, clientAddress: nil)
            }
            #expect(try await store.invite(codeHash: "code")?.invite.uses == 0)
            // An existing member: no use either.
            await #expect(throws: StoreError.alreadyMember) {
                _ = try await store.acceptInvite(codeHash: "code", userID: ann.id, now: now, clientAddress: nil)
            }
            #expect(try await store.invite(codeHash: "code")?.invite.uses == 0)
            // Someone new: account, membership with the invite's role, one use.
            let (carol, _, member) = try await store.acceptInvite(
                codeHash: "code",
                creating: NewUser(email: "carol@example.org", displayName: "Carol", passwordHash: "h"),
                now: now, clientAddress: "10.0.0.1")
            #expect(member.role == .owner)
            #expect(try await store.role(of: carol.id, in: team.id) == .owner)
            // Expired: refused, and no account is made.
            let late = now.addingTimeInterval(3600)
            await #expect(throws: StoreError.inviteInvalid) {
                _ = try await store.acceptInvite(
                    codeHash: "code",
                    creating: NewUser(email: "dan@example.org", displayName: "Dan", passwordHash: "h"),
                    now: late, clientAddress: nil)
            }
            #expect(try await store.user(email: "dan@example.org") == nil)
            // Revoked: refused.
            try await store.revokeInvite(id: invite.id, teamID: team.id, now: now, audit: AuditEntry("invite-revoked"))
            let dan = try await user(store, "dan@example.org")
            await #expect(throws: StoreError.inviteInvalid) {
                _ = try await store.acceptInvite(codeHash: "code", userID: dan.id, now: now, clientAddress: nil)
            }
            await #expect(throws: StoreError.notFound) {
                try await store.revokeInvite(id: invite.id, teamID: team.id, now: now, audit: AuditEntry("x"))
            }
            let actions = try await store.auditEvents(teamID: team.id, limit: 50).map(\.action)
            #expect(actions.contains("invite-accepted"))
            #expect(actions.filter { $0 == "member-added" }.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func setupWorksOnceAndOnlyWithTheLatestToken(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            try await store.replaceSetupToken(hash: "old", now: now)
            try await store.replaceSetupToken(hash: "new", now: now)
            #expect(try await store.isSetupTokenValid(hash: "old") == false)
            #expect(try await store.isSetupTokenValid(hash: "new"))
            let admin = NewUser(email: "root@example.org", displayName: "Root", passwordHash: "h")
            await #expect(throws: StoreError.setupTokenInvalid) {
                _ = try await store.completeSetup(
                    tokenHash: "old", admin: admin, teamName: "Team", now: now, clientAddress: nil)
            }
            #expect(try await store.countUsers() == 0)
            let (user, team) = try await store.completeSetup(
                tokenHash: "new", admin: admin, teamName: "Team", now: now, clientAddress: "127.0.0.1")
            #expect(user.isAdmin)
            #expect(try await store.role(of: user.id, in: team.id) == .owner)
            #expect(try await store.isSetupTokenValid(hash: "new") == false)
            await #expect(throws: StoreError.setupTokenInvalid) {
                _ = try await store.completeSetup(
                    tokenHash: "new", admin: NewUser(email: "b@example.org", displayName: "B", passwordHash: "h"),
                    teamName: "Other", now: now, clientAddress: nil)
            }
            #expect(try await store.countUsers() == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func auditEventsPageNewestFirst(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let team = UUID()
            for index in 0..<7 {
                try await store.record(
                    AuditEntry("sign-in", teamID: index.isMultiple(of: 2) ? team : nil, subject: "\(index)"), now: now)
            }
            let firstPage = try await store.auditEvents(limit: 3)
            #expect(firstPage.map(\.subject) == ["6", "5", "4"])
            let secondPage = try await store.auditEvents(before: firstPage.last?.id, limit: 3)
            #expect(secondPage.map(\.subject) == ["3", "2", "1"])
            #expect(try await store.auditEvents(teamID: team, limit: 10).map(\.subject) == ["6", "4", "2", "0"])
        }
    }
}

@Suite struct IdentityVersionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Caches trust the version: every change of who may do what must move it, and last-use
    /// writes (on nearly every request) must not.
    @Test(arguments: TestBackend.available)
    func changesMoveTheVersionAndLastUseDoesNot(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            var last = try await store.version()
            func moved(_ what: String) async throws {
                let current = try await store.version()
                #expect(current > last, "\(what) must move the identity version")
                last = current
            }
            let ann = try await store.createUser(
                NewUser(email: "ann@example.org", displayName: "Ann", passwordHash: "h"), now: now, audit: nil)
            try await moved("creating a user")
            let bob = try await store.createUser(
                NewUser(email: "bob@example.org", displayName: "Bob", passwordHash: "h"), now: now, audit: nil)
            let team = try await store.createTeam(name: "T", ownerID: ann.id, now: now, audit: AuditEntry("x"))
            try await moved("creating a team")
            _ = try await store.addMember(bob.id, to: team.id, role: .member, now: now, audit: AuditEntry("x"))
            try await moved("adding a member")
            _ = try await store.setRole(of: bob.id, in: team.id, to: .owner, now: now, audit: AuditEntry("x"))
            try await moved("changing a role")
            _ = try await store.renameTeam(id: team.id, to: "U", now: now, audit: AuditEntry("x"))
            try await moved("renaming a team")
            let session = Session(
                tokenHash: "s", userID: bob.id, createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(60),
                clientAddress: nil, userAgent: nil)
            try await store.createSession(session, replacing: nil, audit: nil)
            try await moved("creating a session")
            try await store.touchSession(tokenHash: "s", now: now.addingTimeInterval(1))
            #expect(try await store.version() == last, "a last-use write does not")
            try await store.deleteSession(tokenHash: "s", now: now, audit: nil)
            try await moved("deleting a session")
            let token = APIToken(
                id: UUID(), userID: bob.id, name: "t", scopes: [.read], prefix: "p", createdAt: now, expiresAt: nil,
                lastUsedAt: nil, revokedAt: nil)
            try await store.createToken(token, secretHash: "th", audit: AuditEntry("x"))
            try await moved("creating a token")
            try await store.touchToken(id: token.id, now: now)
            #expect(try await store.version() == last)
            try await store.revokeToken(id: token.id, userID: bob.id, now: now, audit: AuditEntry("x"))
            try await moved("revoking a token")
            _ = try await store.updateUser(id: bob.id, disabled: true, now: now, audit: [])
            try await moved("disabling a user")
            try await store.setPassword(userID: bob.id, hash: "h2", keepingSession: nil, now: now, audit: nil)
            try await moved("setting a password")
            try await store.removeMember(bob.id, from: team.id, now: now, audit: AuditEntry("x"))
            try await moved("removing a member")
            try await store.record(AuditEntry("sign-in-failed"), now: now)
            #expect(try await store.version() == last, "the audit log does not")
        }
    }
}

@Suite struct SignInRaceTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A sign-in whose password check overlapped a reset or a disable makes no session, and an
    /// old hash never overwrites a new password.
    @Test(arguments: TestBackend.available)
    func aResetOrDisableDuringTheCheckWins(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await store.createUser(
                NewUser(email: "ann@example.org", displayName: "Ann", passwordHash: "old"), now: now, audit: nil)
            func session(_ hash: String) -> Session {
                Session(
                    tokenHash: hash, userID: ann.id, createdAt: now, lastSeenAt: now,
                    expiresAt: now.addingTimeInterval(60), clientAddress: nil, userAgent: nil)
            }
            try await store.createSession(session("a"), replacing: nil, audit: nil, requiringPasswordHash: "old")
            try await store.setPassword(userID: ann.id, hash: "new", keepingSession: nil, now: now, audit: nil)
            await #expect(throws: StoreError.notFound) {
                try await store.createSession(session("b"), replacing: nil, audit: nil, requiringPasswordHash: "old")
            }
            try await store.upgradePasswordHash(userID: ann.id, from: "old", to: "old-but-stronger")
            #expect(try await store.passwordHash(userID: ann.id) == "new")
            try await store.upgradePasswordHash(userID: ann.id, from: "new", to: "new-but-stronger")
            #expect(try await store.passwordHash(userID: ann.id) == "new-but-stronger")
            _ = try await store.updateUser(id: ann.id, disabled: true, now: now, audit: [])
            await #expect(throws: StoreError.notFound) {
                try await store.createSession(
                    session("c"), replacing: nil, audit: nil, requiringPasswordHash: "new-but-stronger")
            }
            #expect(try await store.sessions(userID: ann.id).isEmpty)
        }
    }
}

@Suite struct LastAdminTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: TestBackend.available)
    func theServerKeepsOneEnabledAdmin(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = IdentityStore(database: database)
            let ann = try await store.createUser(
                NewUser(email: "ann@example.org", displayName: "Ann", passwordHash: "h", isAdmin: true), now: now,
                audit: nil)
            let bob = try await store.createUser(
                NewUser(email: "bob@example.org", displayName: "Bob", passwordHash: "h", isAdmin: true), now: now,
                audit: nil)
            _ = try await store.updateUser(id: bob.id, disabled: true, now: now, audit: [])
            await #expect(throws: StoreError.lastAdmin) {
                _ = try await store.updateUser(id: ann.id, disabled: true, now: now, audit: [])
            }
            await #expect(throws: StoreError.lastAdmin) {
                _ = try await store.updateUser(id: ann.id, isAdmin: false, now: now, audit: [])
            }
            #expect(try await store.user(id: ann.id)?.isAdmin == true)
            // With Bob enabled again, Ann may step down; renaming the last admin is fine too.
            _ = try await store.updateUser(id: bob.id, disabled: false, now: now, audit: [])
            _ = try await store.updateUser(id: ann.id, isAdmin: false, now: now, audit: [])
            _ = try await store.updateUser(id: bob.id, displayName: "Robert", now: now, audit: [])
            // Two admins demoting each other at once: one of them stays.
            _ = try await store.updateUser(id: ann.id, isAdmin: true, now: now, audit: [])
            async let first = try? store.updateUser(id: ann.id, isAdmin: false, now: now, audit: [])
            async let second = try? store.updateUser(id: bob.id, isAdmin: false, now: now, audit: [])
            _ = await (first, second)
            let admins = try await store.listUsers().filter { $0.isAdmin && !$0.disabled }
            #expect(admins.count == 1)
        }
    }
}
