import Foundation
import SQLKit

/// Column decoding shared by every record: ids are stored as text, times as milliseconds.
extension SQLRow {
    func uuid(_ column: String) throws -> UUID {
        let text = try decode(column: column, as: String.self)
        guard let id = UUID(uuidString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(column) is not a UUID"))
        }
        return id
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        try decode(column: column, as: String?.self).flatMap(UUID.init(uuidString:))
    }

    func date(_ column: String) throws -> Date {
        Date(milliseconds: try decode(column: column, as: Int64.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Date.init(milliseconds:))
    }

    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decode(column: column, as: String?.self)
    }

    func int(_ column: String) throws -> Int {
        Int(try decode(column: column, as: Int64.self))
    }

    func bool(_ column: String) throws -> Bool {
        try decode(column: column, as: Bool.self)
    }

    func user(prefix: String = "") throws -> User {
        User(
            id: try uuid(prefix + "id"), email: try string(prefix + "email"),
            displayName: try string(prefix + "display_name"), isAdmin: try bool(prefix + "is_admin"),
            disabled: try bool(prefix + "disabled"), createdAt: try date(prefix + "created_at"))
    }

    func device() throws -> Device {
        Device(
            id: try string("id"), userID: try uuid("user_id"), name: try string("name"),
            publicKey: try string("public_key"), createdAt: try date("created_at"), lastSeenAt: try date("last_seen_at")
        )
    }

    func guestPass() throws -> GuestPass {
        GuestPass(
            secretHash: try string("secret_hash"), deviceID: try string("device_id"),
            deviceName: try string("device_name"), publicKey: try string("public_key"),
            memberID: try uuid("member_id"), memberName: try string("member_name"), pairingID: try string("pairing_id"),
            expiresAt: try date("expires_at"), label: try optionalString("label"))
    }

    func session() throws -> Session {
        Session(
            tokenHash: try string("token_hash"), userID: try uuid("user_id"), createdAt: try date("created_at"),
            lastSeenAt: try date("last_seen_at"), expiresAt: try date("expires_at"),
            clientAddress: try optionalString("client_address"), userAgent: try optionalString("user_agent"))
    }

    func apiToken() throws -> APIToken {
        APIToken(
            id: try uuid("id"), userID: try uuid("user_id"), name: try string("name"),
            scopes: Scope.decode(try string("scopes")), prefix: try string("prefix"),
            createdAt: try date("created_at"), expiresAt: try optionalDate("expires_at"),
            lastUsedAt: try optionalDate("last_used_at"), revokedAt: try optionalDate("revoked_at"))
    }

    func invite() throws -> Invite {
        Invite(
            id: try uuid("id"), teamID: try uuid("team_id"), role: try role("role"), maxUses: try int("max_uses"),
            uses: try int("uses"), createdBy: try optionalUUID("created_by"), createdAt: try date("created_at"),
            expiresAt: try date("expires_at"), revokedAt: try optionalDate("revoked_at"))
    }

    func member() throws -> Member {
        Member(
            userID: try uuid("user_id"), email: try string("email"), displayName: try string("display_name"),
            role: try role("role"), joinedAt: try date("joined_at"), disabled: try bool("disabled"))
    }

    func team() throws -> Team {
        Team(
            id: try uuid("id"), name: try string("name"), createdAt: try date("created_at"),
            memberCount: try int("member_count"))
    }

    func auditEvent() throws -> AuditEvent {
        AuditEvent(
            id: try decode(column: "id", as: Int64.self), at: try date("at"), action: try string("action"),
            actorID: try optionalUUID("actor_id"), teamID: try optionalUUID("team_id"),
            subject: try optionalString("subject"), clientAddress: try optionalString("client_address"),
            detail: try optionalString("detail"))
    }

    func role(_ column: String) throws -> Role {
        let text = try string(column)
        guard let role = Role(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown role \(text)"))
        }
        return role
    }
}

extension Date {
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Milliseconds since 1970, as stored.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

extension UUID {
    /// The stored form: lower-case text.
    var key: String { uuidString.lowercased() }
}
