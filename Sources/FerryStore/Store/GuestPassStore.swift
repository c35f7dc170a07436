import Foundation
import SQLKit

/// The guests' passes (``GuestPass``), so that pairings outlive a restart of the server. The
/// discovery server keeps them in memory while it runs and writes through here: a pass is saved
/// when a code is claimed and deleted when it ends; at start the live ones are read back.
public struct GuestPassStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func save(_ pass: GuestPass) async throws {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                INSERT INTO guest_passes
                    (secret_hash, member_id, member_name, pairing_id, device_id, device_name, public_key, expires_at,
                    label)
                VALUES (\(bind: pass.secretHash), \(bind: pass.memberID.key), \(bind: pass.memberName),
                    \(bind: pass.pairingID), \(bind: pass.deviceID), \(bind: pass.deviceName), \(bind: pass.publicKey),
                    \(bind: pass.expiresAt.milliseconds), \(bind: pass.label))
                """
            ).run()
        }
    }

    /// Deletes the passes with these secret hashes (those that are there).
    public func delete(secretHashes: [String]) async throws {
        guard !secretHashes.isEmpty else { return }
        try await database.withConnection { sql in
            for hash in secretHashes {
                try await sql.raw("DELETE FROM guest_passes WHERE secret_hash = \(bind: hash)").run()
            }
        }
    }

    /// The passes whose lifetime is not over at `now`, after deleting the others and those of
    /// disabled members (a disabled member's guests end, as they do while the server runs; a
    /// deleted member's went with the account).
    public func live(now: Date) async throws -> [GuestPass] {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM guest_passes WHERE expires_at <= \(bind: now.milliseconds)").run()
            try await sql.raw(
                """
                DELETE FROM guest_passes WHERE member_id IN (SELECT id FROM users WHERE disabled = \(bind: true))
                """
            ).run()
            return try await sql.raw(
                """
                SELECT secret_hash, member_id, member_name, pairing_id, device_id, device_name, public_key, expires_at,
                    label
                FROM guest_passes ORDER BY expires_at, secret_hash
                """
            ).all().map { try $0.guestPass() }
        }
    }
}
