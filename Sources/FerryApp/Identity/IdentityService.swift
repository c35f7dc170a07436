import FerryStore
import FerryWeb
import Foundation

/// The identity operations, shared by the JSON API, the pages and the CLI so that every face
/// applies the same validation, limits and audit.
public struct IdentityService: Sendable {
    public let store: IdentityStore
    public let configuration: IdentityConfiguration
    public let hasher: PasswordHasher
    public let accountLimiter: any AttemptLimiter
    public let addressLimiter: any AttemptLimiter
    /// Teams, roles and members between requests while the store's identity version holds.
    public let cache: IdentityCache

    public init(store: IdentityStore, configuration: IdentityConfiguration, cache: IdentityCache = IdentityCache()) {
        self.store = store
        self.cache = cache
        self.configuration = configuration
        self.hasher = PasswordHasher(parameters: configuration.passwordParameters)
        self.accountLimiter = SlidingWindowLimiter(
            limit: configuration.signInFailuresPerAccount, window: configuration.signInAccountWindow)
        self.addressLimiter = SlidingWindowLimiter(
            limit: configuration.signInAttemptsPerAddress, window: configuration.signInAddressWindow)
    }

    // MARK: Sessions

    /// Signs in with email and password. Rate limits are checked before the password, and an
    /// unknown email costs the same time as a wrong password.
    public func signIn(
        email rawEmail: String?, password rawPassword: String?, replacing presented: String?, context: ActionContext
    ) async throws -> SignedIn {
        var rules = InputRules()
        let email = rules.email(rawEmail, at: "/email")
        if rawPassword == nil || rawPassword?.isEmpty == true { rules.fail("/password", "The password is required.") }
        try rules.check()
        let password = rawPassword ?? ""
        let accountKey = "account:\(email)"
        // Counted before the password is checked (a success clears the account's count), so a
        // burst of guesses in flight at once is held to the limit too.
        try limit(addressLimiter, "address:\(context.clientAddress ?? "unknown")", context: context)
        try limit(accountLimiter, accountKey, context: context)

        guard let credentials = try await store.credentials(email: email), let stored = credentials.passwordHash
        else {
            try await hasher.verifyNothing(password)
            try await store.record(
                context.audit("sign-in-failed", subject: email, detail: "unknown email"), now: context.now)
            throw Self.wrongCredentials
        }
        let user = credentials.user
        let verification = try await hasher.verify(password, against: stored)
        guard case .valid(let needsRehash) = verification else {
            try await store.record(
                AuditEntry(
                    "sign-in-failed", actorID: user.id, subject: user.id.uuidString.lowercased(),
                    clientAddress: context.clientAddress, detail: "wrong password"),
                now: context.now)
            throw Self.wrongCredentials
        }
        guard !user.disabled else {
            throw HTTPError(.forbidden, detail: "This account is disabled.", type: "account-disabled")
        }
        accountLimiter.reset(accountKey)
        var current = stored
        if needsRehash {
            // The session is made only while the stored hash is the one this sign-in knows: after
            // the upgrade that is the new hash (the old one made the first sign-in after a raised
            // cost fail). When another sign-in upgraded it first, its hash is checked too; a
            // password changed meanwhile matches neither, and the sign-in fails.
            let upgraded = try await hasher.hash(password)
            if try await store.upgradePasswordHash(userID: user.id, from: stored, to: upgraded) {
                current = upgraded
            } else if let now = try await store.credentials(email: email)?.passwordHash,
                case .valid = try await hasher.verify(password, against: now)
            {
                current = now
            }
        }
        return try await startSession(
            for: user, replacing: presented, context: context, action: "sign-in", verifiedHash: current)
    }

    /// Counts an attempt against `limiter`, or answers 429 with `Retry-After`.
    func limit(_ limiter: any AttemptLimiter, _ key: String, context: ActionContext) throws {
        if let wait = limiter.attempt(key, now: context.now) {
            throw HTTPError(
                .tooManyRequests, detail: "Too many attempts. Try again in \(Int(wait)) seconds.",
                type: "too-many-attempts", headers: [.retryAfter: String(Int(wait))])
        }
    }

    static let wrongCredentials = HTTPError(
        .unauthorized, detail: "The email or the password is wrong.", type: "wrong-password")

    /// A new session for `user`; the session the browser presented (if any) is deleted in the
    /// same transaction, so a cookie planted before sign-in never becomes a signed-in one.
    /// - Parameter verifiedHash: the password hash just checked: the session is made only if it
    ///   is still the user's (a reset while the hash was being checked wins) and they are enabled.
    func startSession(
        for user: User, replacing presented: String?, context: ActionContext, action: String?,
        verifiedHash: String? = nil
    ) async throws -> SignedIn {
        let token = SecretToken.generate()
        let session = Session(
            tokenHash: SecretToken.hash(token), userID: user.id, createdAt: context.now, lastSeenAt: context.now,
            expiresAt: context.now.addingTimeInterval(configuration.sessionLifetime),
            clientAddress: context.clientAddress, userAgent: context.userAgent.map { String($0.prefix(300)) })
        let audit = action.map {
            AuditEntry(
                $0, actorID: user.id, subject: user.id.uuidString.lowercased(), clientAddress: context.clientAddress)
        }
        do {
            try await store.createSession(
                session, replacing: presented, audit: audit, requiringPasswordHash: verifiedHash)
        } catch StoreError.notFound {
            throw Self.wrongCredentials
        }
        return SignedIn(user: user, sessionToken: token, maxAge: Int(configuration.sessionLifetime))
    }

    public func signOut(_ principal: Principal, context: ActionContext) async throws {
        guard let hash = principal.sessionTokenHash else { return }
        try await store.deleteSession(tokenHash: hash, now: context.now, audit: context.audit("sign-out"))
    }

    /// Ends every session of the caller.
    public func signOutEverywhere(_ principal: Principal, context: ActionContext) async throws {
        try await store.deleteSessions(
            userID: principal.user.id, now: context.now,
            audit: context.audit("sessions-revoked", subject: principal.user.id.uuidString.lowercased()))
    }

    // MARK: First run

    /// Prints nothing; makes a new one-time setup token when no user exists yet, and returns it.
    public func issueSetupToken(now: Date = Date()) async throws -> String? {
        guard try await store.countUsers() == 0 else { return nil }
        let token = SecretToken.generate()
        try await store.replaceSetupToken(hash: SecretToken.hash(token), now: now)
        return token
    }

    public func isSetupNeeded() async throws -> Bool {
        try await store.countUsers() == 0
    }

    public func isSetupTokenValid(_ token: String) async throws -> Bool {
        guard SecretToken.isWellFormed(token) else { return false }
        return try await store.isSetupTokenValid(hash: SecretToken.hash(token))
    }

    /// Creates the first admin and team with the setup token, and signs them in.
    public func completeSetup(
        token: String?, email rawEmail: String?, displayName rawName: String?, password rawPassword: String?,
        teamName rawTeam: String?, replacing presented: String?, context: ActionContext
    ) async throws -> SignedIn {
        var rules = InputRules()
        let email = rules.email(rawEmail, at: "/email")
        let name = rules.name(rawName, at: "/displayName", what: "The display name")
        let password = rules.password(rawPassword, at: "/password")
        let team = rules.name(rawTeam, at: "/teamName", what: "The team name")
        try rules.check()
        guard try await store.countUsers() == 0 else {
            throw HTTPError(.conflict, detail: "Ferry is already set up; sign in instead.", type: "setup-done")
        }
        try limit(addressLimiter, "address:\(context.clientAddress ?? "unknown")", context: context)
        guard let token, try await isSetupTokenValid(token) else { throw StoreError.setupTokenInvalid.httpError }
        let hash = try await hasher.hash(password)
        let (user, _) = try await storeCall {
            try await store.completeSetup(
                tokenHash: SecretToken.hash(token),
                admin: NewUser(email: email, displayName: name, passwordHash: hash, isAdmin: true), teamName: team,
                now: context.now, clientAddress: context.clientAddress)
        }
        return try await startSession(for: user, replacing: presented, context: context, action: "sign-in")
    }

    // MARK: The caller

    public func updateProfile(_ principal: Principal, displayName rawName: String?, context: ActionContext)
        async throws -> User
    {
        var rules = InputRules()
        let name = rules.name(rawName, at: "/displayName", what: "The display name")
        try rules.check()
        return try await storeCall {
            try await store.updateUser(
                id: principal.user.id, displayName: name, now: context.now,
                audit: [context.audit("user-updated", subject: principal.user.id.uuidString.lowercased())])
        }
    }

    /// Changes the caller's password; every other session ends.
    public func changePassword(
        _ principal: Principal, current: String?, new rawNew: String?, context: ActionContext
    ) async throws {
        var rules = InputRules()
        let new = rules.password(rawNew, at: "/newPassword")
        if current == nil || current?.isEmpty == true {
            rules.fail("/currentPassword", "The current password is required.")
        }
        try rules.check()
        // Someone holding a stolen session must not get to guess the password at hashing speed.
        let accountKey = "account:\(principal.user.email)"
        try limit(accountLimiter, accountKey, context: context)
        guard let stored = try await store.passwordHash(userID: principal.user.id),
            case .valid = try await hasher.verify(current ?? "", against: stored)
        else {
            throw HTTPError(
                .unauthorized, detail: "The current password is wrong.", type: "wrong-password",
                errors: [.init(pointer: "/currentPassword", detail: "The current password is wrong.")])
        }
        accountLimiter.reset(accountKey)
        try await store.setPassword(
            userID: principal.user.id, hash: try await hasher.hash(new), keepingSession: principal.sessionTokenHash,
            now: context.now,
            audit: context.audit("password-changed", subject: principal.user.id.uuidString.lowercased()))
    }

    /// The caller's teams (every team for a server admin).
    /// - Parameter fresh: read the store, not the cache (right after this request changed them).
    public func teams(of principal: Principal, fresh: Bool = false) async throws -> [TeamMembership] {
        let id = principal.user.id
        let load = {
            principal.user.isAdmin ? try await store.allTeams(viewer: id) : try await store.teams(of: id)
        }
        if fresh { return try await load() }
        return principal.user.isAdmin
            ? try await cache.value(\.allTeams, id, load: load) : try await cache.value(\.teamsOf, id, load: load)
    }

    /// A team's members, owners first.
    public func members(of teamID: UUID) async throws -> [Member] {
        try await cache.value(\.members, teamID) { try await store.members(of: teamID) }
    }

    /// `userID`'s role in `teamID`, or nil when not a member.
    public func role(of userID: UUID, in teamID: UUID) async throws -> Role? {
        try await cache.value(\.roles, IdentityCache.MemberKey(userID: userID, teamID: teamID)) {
            try await store.role(of: userID, in: teamID)
        }
    }

    /// Whether the team exists.
    public func teamExists(_ teamID: UUID) async throws -> Bool {
        try await cache.value(\.teams, teamID) { try await store.team(id: teamID) } != nil
    }
}
