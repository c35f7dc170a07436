import Foundation
import SQLKit

/// What it takes to create a user.
public struct NewUser: Sendable {
    public var email: String
    public var displayName: String
    public var passwordHash: String?
    public var isAdmin: Bool

    public init(email: String, displayName: String, passwordHash: String?, isAdmin: Bool = false) {
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
    }
}

/// A user and their stored password hash, for sign-in.
public struct UserCredentials: Sendable {
    public var user: User
    public var passwordHash: String?
}

extension IdentityStore {
    static let userColumns = "id, email, display_name, is_admin, disabled, created_at"

    public func countUsers() async throws -> Int {
        try await database.withConnection { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0
        }
    }

    /// Creates a user; ``StoreError/emailTaken`` when the email is in use.
    public func createUser(_ new: NewUser, now: Date, audit: AuditEntry?) async throws -> User {
        try await write { sql in
            let user = try await insertUser(new, now: now, on: sql)
            if var audit {
                audit.subject = audit.subject ?? user.id.key
                try await insert(audit, at: now, on: sql)
            }
            return user
        }
    }

    func insertUser(_ new: NewUser, now: Date, on sql: any SQLDatabase) async throws -> User {
        let email = new.email.lowercased()
        let existing = try await sql.raw("SELECT id FROM users WHERE email = \(bind: email)").first()
        guard existing == nil else { throw StoreError.emailTaken }
        let user = User(
            id: UUID(), email: email, displayName: new.displayName, isAdmin: new.isAdmin, disabled: false,
            createdAt: now)
        try await mapUniqueViolation(to: .emailTaken) {
            try await sql.raw(
                """
                INSERT INTO users (id, email, display_name, password_hash, is_admin, disabled, created_at)
                VALUES (\(bind: user.id.key), \(bind: email), \(bind: user.displayName), \(bind: new.passwordHash),
                        \(bind: user.isAdmin), \(bind: false), \(bind: now.milliseconds))
                """
            ).run()
        }
        return user
    }

    public func user(id: UUID) async throws -> User? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id.key)")
                .first()?.user()
        }
    }

    public func user(email: String) async throws -> User? {
        try await credentials(email: email)?.user
    }

    /// The user with this email and their password hash, for sign-in.
    public func credentials(email: String) async throws -> UserCredentials? {
        try await database.withConnection { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT \(unsafeRaw: Self.userColumns), password_hash FROM users
                    WHERE email = \(bind: email.lowercased())
                    """
                ).first()
            else { return nil }
            return UserCredentials(user: try row.user(), passwordHash: try row.optionalString("password_hash"))
        }
    }

    public func passwordHash(userID: UUID) async throws -> String? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT password_hash FROM users WHERE id = \(bind: userID.key)").first()?
                .optionalString("password_hash")
        }
    }

    /// Every user, by email.
    public func listUsers() async throws -> [User] {
        try await database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users ORDER BY email").all().map {
                try $0.user()
            }
        }
    }

    /// Changes what is given; disabling a user also ends their sessions.
    public func updateUser(
        id: UUID, displayName: String? = nil, isAdmin: Bool? = nil, disabled: Bool? = nil, now: Date,
        audit: [AuditEntry]
    ) async throws -> User {
        try await write { sql in
            // On PostgreSQL the admins' rows are locked first, so two admins demoting each other
            // at once cannot both pass the last-admin check (SQLite serialises every write).
            if database.backend == .postgres {
                try await sql.raw("SELECT id FROM users WHERE is_admin FOR NO KEY UPDATE").run()
            }
            guard
                var user = try await sql.raw(
                    "SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id.key)"
                ).first()?.user()
            else { throw StoreError.notFound }
            let wasActiveAdmin = user.isAdmin && !user.disabled
            if let displayName { user.displayName = displayName }
            if let isAdmin { user.isAdmin = isAdmin }
            if let disabled { user.disabled = disabled }
            if wasActiveAdmin, !user.isAdmin || user.disabled {
                let others =
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM users
                        WHERE is_admin = \(bind: true) AND disabled = \(bind: false) AND id <> \(bind: id.key)
                        """
                    ).first()?.int("n") ?? 0
                guard others > 0 else { throw StoreError.lastAdmin }
            }
            try await sql.raw(
                """
                UPDATE users SET display_name = \(bind: user.displayName), is_admin = \(bind: user.isAdmin),
                    disabled = \(bind: user.disabled)
                WHERE id = \(bind: id.key)
                """
            ).run()
            if user.disabled {
                try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: id.key)").run()
            }
            for entry in audit { try await insert(entry, at: now, on: sql) }
            return user
        }
    }

    /// Stores a new password hash and ends the user's sessions but `keepingSession`.
    public func setPassword(
        userID: UUID, hash: String, keepingSession: String?, now: Date, audit: AuditEntry?
    ) async throws {
        try await write { sql in
            let found = try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID.key)").first()
            guard found != nil else { throw StoreError.notFound }
            try await sql.raw("UPDATE users SET password_hash = \(bind: hash) WHERE id = \(bind: userID.key)").run()
            try await sql.raw(
                """
                DELETE FROM sessions WHERE user_id = \(bind: userID.key)
                AND token_hash <> \(bind: keepingSession ?? "")
                """
            ).run()
            if let audit { try await insert(audit, at: now, on: sql) }
        }
    }

    /// Replaces a hash with a stronger one of the same password (after a successful sign-in),
    /// only if it is still `old`: a password set meanwhile is never overwritten by the old one.
    /// Whether it was replaced.
    @discardableResult
    public func upgradePasswordHash(userID: UUID, from old: String, to hash: String) async throws -> Bool {
        try await database.withConnection { sql in
            try await !sql.raw(
                """
                UPDATE users SET password_hash = \(bind: hash)
                WHERE id = \(bind: userID.key) AND password_hash = \(bind: old)
                RETURNING id
                """
            ).all().isEmpty
        }
    }
}
