import Foundation

/// The limits of drops and uploads (docs/DROPS.md, "Quotas and limits"), each a flag of
/// `ferry serve`. The defaults suit a team server on one disk.
public struct DropsConfiguration: Sendable {
    /// Largest upload, and largest sum of a drop's files (bytes).
    public var maxDropSize: Int64 = 16 << 30
    /// Bytes one member may hold in uploads and drops.
    public var userQuota: Int64 = 64 << 30
    /// Bytes all members of one team may hold together.
    public var teamQuota: Int64 = 256 << 30
    /// Largest sealed metadata (names, thumbnails, a text).
    public var maxMetadataSize: Int = 4 << 20
    public var maxDropFiles: Int = 10_000
    /// How long an upload lives after its last write.
    public var uploadLifetime: TimeInterval = 24 * 3600
    public var defaultDropLifetime: TimeInterval = 7 * 24 * 3600
    public var maxDropLifetime: TimeInterval = 30 * 24 * 3600
    /// How long an opened drop stays downloadable without counting again.
    public var downloadTicketLifetime: TimeInterval = 24 * 3600
    public var sweepInterval: Duration = .seconds(60)
    /// How long an ended drop's record (sizes, times, counts; never a name or a key) outlives its
    /// swept files, so that its link says "expired", "revoked" or "used up" instead of "no such
    /// drop". 0 forgets it in the sweep that removes its files.
    public var endedDropMemory: TimeInterval = 30 * 24 * 3600
    /// Drops or uploads deleted per sweep, so one run never holds the store for long.
    public var sweepBatch: Int = 100
    /// Wrong proofs per drop and client address within ``proofWindow`` before `429`.
    public var proofAttempts: Int = 10
    public var proofWindow: TimeInterval = 600

    /// Shortest expiry a member may set.
    public static let minimumDropLifetime: TimeInterval = 60
    /// PBKDF2 iterations a password drop may declare (docs/DROPS.md).
    public static let passwordIterations = 600_000...10_000_000
    public static let maxDownloadsRange = 1...1_000_000

    public init() {}
}
