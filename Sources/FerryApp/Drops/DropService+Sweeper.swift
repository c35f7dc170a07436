import FerryBlobStore
import FerryStore
import Foundation

/// What one sweep removed.
public struct SweepReport: Sendable, Equatable {
    public var uploads = 0
    /// Ended drops whose files went (their records stay for ``DropsConfiguration/endedDropMemory``).
    public var drops = 0
    public var orphans = 0
    /// Records of drops swept longer ago than ``DropsConfiguration/endedDropMemory``.
    public var forgotten = 0

    public init(uploads: Int = 0, drops: Int = 0, orphans: Int = 0, forgotten: Int = 0) {
        self.uploads = uploads
        self.drops = drops
        self.orphans = orphans
        self.forgotten = forgotten
    }
}

extension DropService {
    /// Deletes expired uploads, the files of finished drops (expired, revoked, used up with no
    /// live ticket), the records of drops swept more than `endedDropMemory` ago, and blobs no
    /// record mentions, each at most `sweepBatch` per run. Records change first, then bytes go; a
    /// crash in between leaves an orphan blob, which a later sweep finds.
    @discardableResult
    public func sweep(now: Date) async throws -> SweepReport {
        var report = SweepReport()
        let batch = configuration.sweepBatch
        for id in try await store.expiredUploads(now: now, limit: batch) {
            try await blobs.delete(id)
            try await store.deleteUpload(id: id)
            report.uploads += 1
        }
        for id in try await store.finishedDrops(now: now, limit: batch) {
            do {
                let blobIDs = try await store.sweepDrop(id: id, now: now)
                downloads.end(id)  // an unlinked file could still be sent from an open handle
                try await deleteBlobs(blobIDs + [Self.metadataBlob(of: id)])
                report.drops += 1
            } catch StoreError.notFound {
                continue  // the owner deleted it meanwhile
            }
        }
        report.forgotten = try await store.forgetSweptDrops(
            before: now.addingTimeInterval(-configuration.endedDropMemory), limit: batch)
        try await store.deleteExpiredTickets(now: now)
        // A blob younger than an upload's lifetime may belong to a drop being created (its
        // metadata is stored just before its record).
        let settled = Int64(now.addingTimeInterval(-configuration.uploadLifetime).timeIntervalSince1970)
        for entry in try await blobs.list() where entry.modifiedAt < settled && report.orphans < batch {
            let recordID = entry.id.hasSuffix(".meta") ? String(entry.id.dropLast(5)) : entry.id
            if try await !store.knowsBlob(recordID) {
                try await blobs.delete(entry.id)
                report.orphans += 1
            }
        }
        return report
    }
}
