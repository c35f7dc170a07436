import Foundation
import SQLKit

/// The records of drops and uploads (docs/DROPS.md). Changes that must be exact under
/// concurrency — quota checks with the upload they admit, download counting, consuming uploads —
/// are single transactions or single conditional statements.
public struct DropStore: Sendable {
    public let database: Database
    private var audit: IdentityStore { IdentityStore(database: database) }

    public init(database: Database) {
        self.database = database
    }

    static let uploadColumns = "id, user_id, length, upload_offset, concat, concat_parts, created_at, expires_at"
    static let dropColumns = """
        id, user_id, verifier, password_salt, password_iterations, size, file_count, metadata_size, created_at,
        expires_at, max_downloads, downloads, revoked_at, swept_at
        """

    // MARK: Uploads

    /// Records a new upload if the member's and their teams' quotas leave room for its length.
    public func createUpload(_ upload: Upload, limits: StorageLimits) async throws {
        try await database.transaction { sql in
            try await lockUser(upload.userID, on: sql)
            try await checkQuota(for: upload.userID, adding: upload.length, limits: limits, on: sql)
            try await sql.raw(
                """
                INSERT INTO uploads (\(unsafeRaw: Self.uploadColumns))
                VALUES (\(bind: upload.id), \(bind: upload.userID.key), \(bind: upload.length), \(bind: upload.offset),
                    \(bind: upload.concatenation.rawValue), \(bind: Self.encodeParts(upload.parts)),
                    \(bind: upload.createdAt.milliseconds), \(bind: upload.expiresAt.milliseconds))
                """
            ).run()
        }
    }

    /// Joins complete parts of one member into a new complete upload, in one transaction: the
    /// parts' rows go, the final's comes (their bytes are joined by the caller before).
    public func joinUploads(_ parts: [String], into final: Upload) async throws {
        try await database.transaction { sql in
            for part in parts {
                let removed = try await sql.raw(
                    """
                    DELETE FROM uploads WHERE id = \(bind: part) AND user_id = \(bind: final.userID.key)
                        AND concat = 'partial' AND upload_offset = length
                    RETURNING id
                    """
                ).all()
                guard !removed.isEmpty else { throw StoreError.uploadNotReady }
            }
            try await sql.raw(
                """
                INSERT INTO uploads (\(unsafeRaw: Self.uploadColumns))
                VALUES (\(bind: final.id), \(bind: final.userID.key), \(bind: final.length), \(bind: final.offset),
                    \(bind: final.concatenation.rawValue), \(bind: Self.encodeParts(final.parts)),
                    \(bind: final.createdAt.milliseconds), \(bind: final.expiresAt.milliseconds))
                """
            ).run()
        }
    }

    public func upload(id: String) async throws -> Upload? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.uploadColumns) FROM uploads WHERE id = \(bind: id)")
                .first()?.upload()
        }
    }

    /// Records an acknowledged offset (after the bytes were fsynced) and the new expiry.
    public func acknowledge(upload id: String, offset: Int64, expiresAt: Date) async throws {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                UPDATE uploads SET upload_offset = \(bind: offset), expires_at = \(bind: expiresAt.milliseconds)
                WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    public func deleteUpload(id: String) async throws {
        try await database.withConnection { sql in
            try await sql.raw("DELETE FROM uploads WHERE id = \(bind: id)").run()
        }
    }

    /// Uploads whose time is up, oldest first.
    public func expiredUploads(now: Date, limit: Int) async throws -> [String] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT id FROM uploads WHERE expires_at <= \(bind: now.milliseconds)
                ORDER BY expires_at LIMIT \(bind: limit)
                """
            ).all().map { try $0.string("id") }
        }
    }

    /// Parts are stored as one text: ids of base64url characters, separated by spaces.
    static func encodeParts(_ parts: [String]) -> String? {
        parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func decodeParts(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }

    // MARK: Quotas

    /// Bytes a member holds: their uploads and their drops not yet swept, with their metadata.
    public func bytesHeld(by userID: UUID) async throws -> Int64 {
        try await database.withConnection { sql in try await bytesHeld(by: userID, on: sql) }
    }

    private func bytesHeld(by userID: UUID, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw(
            """
            SELECT CAST(
                (SELECT COALESCE(SUM(length), 0) FROM uploads WHERE user_id = \(bind: userID.key))
                + (SELECT COALESCE(SUM(size + metadata_size), 0) FROM drops
                    WHERE user_id = \(bind: userID.key) AND swept_at IS NULL)
                AS BIGINT) AS used
            """
        ).first()?.decode(column: "used", as: Int64.self) ?? 0
    }

    /// For each team of the member, the bytes held by all its members.
    private func teamBytesHeld(by userID: UUID, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.raw(
            """
            SELECT CAST(
                (SELECT COALESCE(SUM(u.length), 0) FROM uploads u JOIN memberships mu ON mu.user_id = u.user_id
                    WHERE mu.team_id = m.team_id)
                + (SELECT COALESCE(SUM(d.size + d.metadata_size), 0) FROM drops d JOIN memberships md ON md.user_id = d.user_id
                    WHERE md.team_id = m.team_id AND d.swept_at IS NULL) AS BIGINT) AS used
            FROM memberships m WHERE m.user_id = \(bind: userID.key)
            """
        ).all().map { try $0.decode(column: "used", as: Int64.self) }
    }

    private func checkQuota(
        for userID: UUID, adding bytes: Int64, limits: StorageLimits, on sql: any SQLDatabase
    ) async throws {
        let held = try await bytesHeld(by: userID, on: sql)
        if held + bytes > limits.userQuota {
            throw StoreError.quotaExceeded(team: false, left: max(0, limits.userQuota - held), quota: limits.userQuota)
        }
        for used in try await teamBytesHeld(by: userID, on: sql) where used + bytes > limits.teamQuota {
            throw StoreError.quotaExceeded(team: true, left: max(0, limits.teamQuota - used), quota: limits.teamQuota)
        }
    }

    /// Serialises quota checks of one member on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already
    /// serialises every writer), so two uploads created at once cannot both take the last bytes.
    private func lockUser(_ userID: UUID, on sql: any SQLDatabase) async throws {
        guard database.backend == .postgres else { return }
        try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID.key) FOR UPDATE").run()
    }

    // MARK: Drops

    /// Creates a drop from complete uploads of its owner, consuming them (their rows go; their
    /// blobs become the drop's files), with its audit entry, in one transaction.
    public func createDrop(
        _ drop: Drop, uploads: [String], limits: StorageLimits, audit entry: AuditEntry
    ) async throws -> Drop {
        try await database.transaction { sql in
            var drop = drop
            // The uploads become the drop's files (their bytes are counted already); its sealed
            // metadata is new, and counts as well: many text drops would otherwise fill the disk.
            try await lockUser(drop.userID, on: sql)
            try await checkQuota(for: drop.userID, adding: Int64(drop.metadataSize), limits: limits, on: sql)
            var files: [DropFile] = []
            for (position, id) in uploads.enumerated() {
                guard
                    let row = try await sql.raw(
                        """
                        DELETE FROM uploads WHERE id = \(bind: id) AND user_id = \(bind: drop.userID.key)
                            AND concat <> 'partial' AND upload_offset = length
                        RETURNING length
                        """
                    ).first()
                else { throw StoreError.uploadNotReady }
                files.append(
                    DropFile(position: position, blobID: id, size: try row.decode(column: "length", as: Int64.self)))
            }
            drop.size = files.reduce(0) { $0 + $1.size }
            drop.fileCount = files.count
            try await sql.raw(
                """
                INSERT INTO drops (\(unsafeRaw: Self.dropColumns))
                VALUES (\(bind: drop.id), \(bind: drop.userID.key), \(bind: drop.verifier), \(bind: drop.passwordSalt),
                    \(bind: drop.passwordIterations), \(bind: drop.size), \(bind: drop.fileCount),
                    \(bind: drop.metadataSize), \(bind: drop.createdAt.milliseconds), \(bind: drop.expiresAt.milliseconds),
                    \(bind: drop.maxDownloads), \(bind: 0), NULL, NULL)
                """
            ).run()
            for file in files {
                try await sql.raw(
                    """
                    INSERT INTO drop_files (drop_id, position, blob_id, size)
                    VALUES (\(bind: drop.id), \(bind: file.position), \(bind: file.blobID), \(bind: file.size))
                    """
                ).run()
            }
            try await audit.insert(entry, at: drop.createdAt, on: sql)
            return drop
        }
    }

    public func drop(id: String) async throws -> Drop? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.dropColumns) FROM drops WHERE id = \(bind: id)").first()?.drop()
        }
    }

    /// A member's drops that still have their files, newest first.
    public func drops(of userID: UUID) async throws -> [Drop] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.dropColumns) FROM drops
                WHERE user_id = \(bind: userID.key) AND swept_at IS NULL
                ORDER BY created_at DESC, id
                """
            ).all().map { try $0.drop() }
        }
    }

    public func files(of dropID: String) async throws -> [DropFile] {
        try await database.withConnection { sql in
            try await sql.raw(
                "SELECT position, blob_id, size FROM drop_files WHERE drop_id = \(bind: dropID) ORDER BY position"
            ).all().map {
                DropFile(
                    position: try $0.int("position"), blobID: try $0.string("blob_id"),
                    size: try $0.decode(column: "size", as: Int64.self))
            }
        }
    }

    /// Counts one download and records its ticket, atomically: the count only moves while the
    /// drop is active, so a drop limited to N downloads opens exactly N times.
    public func open(dropID: String, ticketHash: String, ticketExpiresAt: Date, now: Date) async throws -> Drop {
        try await database.transaction { sql in
            let counted = try await sql.raw(
                """
                UPDATE drops SET downloads = downloads + 1
                WHERE id = \(bind: dropID) AND revoked_at IS NULL AND expires_at > \(bind: now.milliseconds)
                    AND (max_downloads IS NULL OR downloads < max_downloads) AND swept_at IS NULL
                RETURNING \(unsafeRaw: Self.dropColumns)
                """
            ).first()
            guard let counted else {
                guard
                    let drop = try await sql.raw(
                        "SELECT \(unsafeRaw: Self.dropColumns) FROM drops WHERE id = \(bind: dropID)"
                    ).first()?.drop()
                else { throw StoreError.notFound }
                throw StoreError.dropUnavailable(drop.state(at: now))
            }
            let drop = try counted.drop()
            try await sql.raw(
                """
                INSERT INTO drop_tickets (ticket_hash, drop_id, expires_at)
                VALUES (\(bind: ticketHash), \(bind: dropID), \(bind: min(ticketExpiresAt, drop.expiresAt).milliseconds))
                """
            ).run()
            return drop
        }
    }

    /// When the ticket stops being valid for this drop, or nil for an unknown or expired one.
    public func ticketExpiry(ticketHash: String, dropID: String, now: Date) async throws -> Date? {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT expires_at FROM drop_tickets
                WHERE ticket_hash = \(bind: ticketHash) AND drop_id = \(bind: dropID)
                    AND expires_at > \(bind: now.milliseconds)
                """
            ).first()?.date("expires_at")
        }
    }

    /// The owner changes the expiry or the download limit; not of a revoked drop, nor of one whose
    /// files were swept.
    public func updateDrop(
        id: String, userID: UUID, expiresAt: Date?, maxDownloads: Int??, now: Date
    ) async throws -> Drop {
        try await database.transaction { sql in
            guard
                var drop = try await sql.raw(
                    """
                    SELECT \(unsafeRaw: Self.dropColumns) FROM drops
                    WHERE id = \(bind: id) AND user_id = \(bind: userID.key)
                    """
                ).first()?.drop()
            else { throw StoreError.notFound }
            if drop.revokedAt != nil { throw StoreError.dropUnavailable(.revoked) }
            if drop.sweptAt != nil { throw StoreError.dropUnavailable(drop.state(at: now)) }
            if let expiresAt { drop.expiresAt = expiresAt }
            if let maxDownloads { drop.maxDownloads = maxDownloads }
            let updated = try await sql.raw(
                """
                UPDATE drops SET expires_at = \(bind: drop.expiresAt.milliseconds),
                    max_downloads = \(bind: drop.maxDownloads)
                WHERE id = \(bind: id) AND swept_at IS NULL RETURNING id
                """
            ).all()
            // Swept between the read and the update (PostgreSQL reads without a lock).
            if updated.isEmpty { throw StoreError.dropUnavailable(drop.state(at: now)) }
            return drop
        }
    }

    /// Stops a drop at once: its tickets go too. Not one whose files were swept: it serves nothing
    /// already, and its link keeps saying why it ended (`dropUnavailable` with that reason).
    public func revokeDrop(id: String, userID: UUID, now: Date, audit entry: AuditEntry) async throws -> Drop {
        try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    UPDATE drops SET revoked_at = COALESCE(revoked_at, \(bind: now.milliseconds))
                    WHERE id = \(bind: id) AND user_id = \(bind: userID.key) AND swept_at IS NULL
                    RETURNING \(unsafeRaw: Self.dropColumns)
                    """
                ).first()
            else {
                let swept = try await sql.raw(
                    """
                    SELECT \(unsafeRaw: Self.dropColumns) FROM drops
                    WHERE id = \(bind: id) AND user_id = \(bind: userID.key)
                    """
                ).first()?.drop()
                if let swept { throw StoreError.dropUnavailable(swept.state(at: now)) }
                throw StoreError.notFound
            }
            try await sql.raw("DELETE FROM drop_tickets WHERE drop_id = \(bind: id)").run()
            try await audit.insert(entry, at: now, on: sql)
            return try row.drop()
        }
    }

    /// Deletes one of the owner's drops (its record, files' rows and tickets) and returns the
    /// blobs to delete: its files'.
    public func deleteDrop(id: String, userID: UUID, now: Date, audit entry: AuditEntry?) async throws -> [String] {
        try await database.transaction { sql in
            let files = try await sql.raw("SELECT blob_id FROM drop_files WHERE drop_id = \(bind: id)").all()
                .map { try $0.string("blob_id") }
            let deleted = try await sql.raw(
                "DELETE FROM drops WHERE id = \(bind: id) AND user_id = \(bind: userID.key) RETURNING id"
            ).all()
            guard !deleted.isEmpty else { throw StoreError.notFound }
            if let entry { try await audit.insert(entry, at: now, on: sql) }
            return files
        }
    }

    /// Drops that serve no more and whose bytes can go: expired, revoked, or used up with no
    /// ticket left that could still fetch them; not those already swept.
    public func finishedDrops(now: Date, limit: Int) async throws -> [String] {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                SELECT id FROM drops d WHERE \(Self.finished("d", now: now))
                ORDER BY d.expires_at LIMIT \(bind: limit)
                """
            ).all().map { try $0.string("id") }
        }
    }

    /// The condition on `table` of a drop that is finished at `now` and not yet swept: one text
    /// for choosing drops to sweep and for sweeping one, so an owner's extension between the two
    /// keeps the drop.
    static func finished(_ table: String, now: Date) -> SQLQueryString {
        """
        \(ident: table).swept_at IS NULL AND (\(ident: table).expires_at <= \(bind: now.milliseconds)
            OR \(ident: table).revoked_at IS NOT NULL
            OR (\(ident: table).max_downloads IS NOT NULL AND \(ident: table).downloads >= \(ident: table).max_downloads
                AND NOT EXISTS (SELECT 1 FROM drop_tickets t
                    WHERE t.drop_id = \(ident: table).id AND t.expires_at > \(bind: now.milliseconds))))
        """
    }

    /// The sweeper's end of an ended drop: its files' rows and tickets go and the record is
    /// marked swept, in one transaction, if it is still finished (its owner may have extended it
    /// since it was chosen); returns the blobs to delete (its files'). `notFound` otherwise.
    public func sweepDrop(id: String, now: Date) async throws -> [String] {
        try await database.transaction { sql in
            let marked = try await sql.raw(
                """
                UPDATE drops SET swept_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id) AND \(Self.finished("drops", now: now)) RETURNING id
                """
            ).all()
            guard !marked.isEmpty else { throw StoreError.notFound }
            let files = try await sql.raw("SELECT blob_id FROM drop_files WHERE drop_id = \(bind: id)").all()
                .map { try $0.string("blob_id") }
            try await sql.raw("DELETE FROM drop_files WHERE drop_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM drop_tickets WHERE drop_id = \(bind: id)").run()
            return files
        }
    }

    /// Deletes the records of drops swept before `cutoff`, at most `limit`; how many went.
    @discardableResult
    public func forgetSweptDrops(before cutoff: Date, limit: Int) async throws -> Int {
        try await database.withConnection { sql in
            try await sql.raw(
                """
                DELETE FROM drops WHERE id IN (
                    SELECT id FROM drops WHERE swept_at IS NOT NULL AND swept_at <= \(bind: cutoff.milliseconds)
                    ORDER BY swept_at LIMIT \(bind: limit))
                RETURNING id
                """
            ).all().count
        }
    }

    /// Removes tickets past their time.
    public func deleteExpiredTickets(now: Date) async throws {
        try await database.withConnection { sql in
            try await sql.raw("DELETE FROM drop_tickets WHERE expires_at <= \(bind: now.milliseconds)").run()
        }
    }

    /// Whether the store still refers to the blob (an upload, a drop's file, or a drop's
    /// metadata, whose blob is named after the drop).
    public func knowsBlob(_ id: String) async throws -> Bool {
        try await database.withConnection { sql in
            let row = try await sql.raw(
                """
                SELECT CAST(
                    (SELECT COUNT(*) FROM uploads WHERE id = \(bind: id))
                    + (SELECT COUNT(*) FROM drop_files WHERE blob_id = \(bind: id))
                    + (SELECT COUNT(*) FROM drops WHERE id = \(bind: id) AND swept_at IS NULL) AS BIGINT) AS refs
                """
            ).first()
            return (try row?.decode(column: "refs", as: Int64.self) ?? 0) > 0
        }
    }
}

extension SQLRow {
    func upload() throws -> Upload {
        Upload(
            id: try string("id"), userID: try uuid("user_id"), length: try decode(column: "length", as: Int64.self),
            offset: try decode(column: "upload_offset", as: Int64.self),
            concatenation: Upload.Concatenation(rawValue: try string("concat")) ?? .none,
            parts: try optionalString("concat_parts").map(DropStore.decodeParts) ?? [],
            createdAt: try date("created_at"), expiresAt: try date("expires_at"))
    }

    func drop() throws -> Drop {
        Drop(
            id: try string("id"), userID: try uuid("user_id"), verifier: try string("verifier"),
            passwordSalt: try optionalString("password_salt"),
            passwordIterations: try decode(column: "password_iterations", as: Int64?.self).map(Int.init),
            size: try decode(column: "size", as: Int64.self), fileCount: try int("file_count"),
            metadataSize: try int("metadata_size"), createdAt: try date("created_at"),
            expiresAt: try date("expires_at"),
            maxDownloads: try decode(column: "max_downloads", as: Int64?.self).map(Int.init),
            downloads: try int("downloads"), revokedAt: try optionalDate("revoked_at"),
            sweptAt: try optionalDate("swept_at"))
    }
}
