import Crypto
import FerryBlobStore
import FerryStore
import FerryWeb
import Foundation
import Synchronization

/// Drops (docs/DROPS.md): tus uploads into the blob store, drops made of finished uploads,
/// downloads gated by the proof and counted with tickets, and the sweeper. Throws ``DropError``
/// and ``StoreError``; the API maps both to answers in one place each.
public final class DropService: Sendable {
    public let store: DropStore
    public let blobs: any BlobStore
    public let configuration: DropsConfiguration
    let clock: @Sendable () -> Date
    /// Uploads a request is writing to right now: one writer per upload.
    private let busyUploads = Mutex<Set<String>>([])
    /// Wrong proofs per drop and client address.
    let proofAttempts: SlidingWindowLimiter
    /// Downloads being sent, which stop when their drop does.
    let downloads = DownloadLeases()

    public init(
        store: DropStore, blobs: any BlobStore, configuration: DropsConfiguration,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.blobs = blobs
        self.configuration = configuration
        self.clock = clock
        self.proofAttempts = SlidingWindowLimiter(limit: configuration.proofAttempts, window: configuration.proofWindow)
    }

    var limits: StorageLimits {
        StorageLimits(userQuota: configuration.userQuota, teamQuota: configuration.teamQuota)
    }

    /// A new id for an upload, a drop or a ticket: 128 random bits, base64url (22 characters).
    static func newID() -> String { SecretToken.generate(byteCount: 16) }

    /// Runs `body` as the only writer of `uploadID`, or refuses at once.
    func exclusively<Result: Sendable>(
        _ uploadID: String, _ body: () async throws -> Result
    ) async throws -> Result {
        let claimed = busyUploads.withLock { $0.insert(uploadID).inserted }
        guard claimed else { throw DropError.uploadBusy }
        defer { _ = busyUploads.withLock { $0.remove(uploadID) } }
        return try await body()
    }

    /// Blob-store failures the caller can act on, as drop errors.
    static func mapped(_ error: any Error) -> any Error {
        switch error {
        case BlobStoreError.storageFull: DropError.storageFull
        default: error
        }
    }
}
