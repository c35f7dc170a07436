import Foundation
import SQLKit

/// The devices users register for direct transfers. Device writes do not move the identity
/// version: a device is not a credential, and the discovery server is told of changes directly.
public struct DeviceStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Registers a device or renames it. The same id with another key, or of another user, is
    /// refused (``StoreError/deviceKeyMismatch``): a new key is a new device. Returns the stored
    /// device and whether it was new.
    public func register(
        id: String, userID: UUID, name: String, publicKey: String, now: Date
    ) async throws -> (device: Device, created: Bool) {
        try await database.transaction { sql in
            if let existing = try await Self.device(id: id, on: sql) {
                guard existing.userID == userID, existing.publicKey == publicKey else {
                    throw StoreError.deviceKeyMismatch
                }
                try await sql.raw(
                    """
                    UPDATE devices SET name = \(bind: name), last_seen_at = \(bind: now.milliseconds)
                    WHERE id = \(bind: id)
                    """
                ).run()
                var renamed = existing
                renamed.name = name
                renamed.lastSeenAt = now
                return (renamed, false)
            }
            try await sql.raw(
                """
                INSERT INTO devices (id, user_id, name, public_key, created_at, last_seen_at)
                VALUES (\(bind: id), \(bind: userID.key), \(bind: name), \(bind: publicKey), \(bind: now.milliseconds),
                    \(bind: now.milliseconds))
                """
            ).run()
            return (
                Device(id: id, userID: userID, name: name, publicKey: publicKey, createdAt: now, lastSeenAt: now), true
            )
        }
    }

    public func device(id: String) async throws -> Device? {
        try await database.withConnection { sql in try await Self.device(id: id, on: sql) }
    }

    /// A user's devices, most recently seen first.
    public func devices(userID: UUID) async throws -> [Device] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT id, user_id, name, public_key, created_at, last_seen_at FROM devices
                WHERE user_id = \(bind: userID.key) ORDER BY last_seen_at DESC, id
                """
            ).all().map { try $0.device() }
        }
    }

    /// Forgets one of `userID`'s devices; ``StoreError/notFound`` if it has none with this id.
    public func delete(id: String, userID: UUID) async throws {
        try await database.withConnection { sql in
            let deleted = try await sql.raw(
                "DELETE FROM devices WHERE id = \(bind: id) AND user_id = \(bind: userID.key) RETURNING id"
            ).all()
            guard !deleted.isEmpty else { throw StoreError.notFound }
        }
    }

    private static func device(id: String, on sql: any SQLDatabase) async throws -> Device? {
        try await sql.raw(
            "SELECT id, user_id, name, public_key, created_at, last_seen_at FROM devices WHERE id = \(bind: id)"
        ).first()?.device()
    }
}
