import ArgumentParser
import FerryApp
import FerryServer

/// `ferry serve`'s flags for drops (docs/DROPS.md, "Quotas and limits"); each also an
/// environment variable.
struct DropOptions: ParsableArguments {
    static let defaults = DropsConfiguration()

    @Option(
        name: .customLong("blobs"), help: "Folder for drops' encrypted bytes; default DATA/blobs (env FERRY_BLOBS).")
    var blobsOption: String?

    var blobs: String? { blobsOption ?? Environment.string("FERRY_BLOBS") }

    @Option(help: "Largest drop, in bytes (env FERRY_MAX_DROP_SIZE).")
    var maxDropSize: Int = Environment.int("FERRY_MAX_DROP_SIZE") ?? Int(defaults.maxDropSize)

    @Option(help: "Bytes one member may keep in drops and uploads (env FERRY_USER_QUOTA).")
    var userQuota: Int = Environment.int("FERRY_USER_QUOTA") ?? Int(defaults.userQuota)

    @Option(help: "Bytes all members of a team may keep together (env FERRY_TEAM_QUOTA).")
    var teamQuota: Int = Environment.int("FERRY_TEAM_QUOTA") ?? Int(defaults.teamQuota)

    @Option(help: "Largest sealed metadata of a drop, in bytes (env FERRY_MAX_METADATA_SIZE).")
    var maxMetadataSize: Int = Environment.int("FERRY_MAX_METADATA_SIZE") ?? defaults.maxMetadataSize

    @Option(help: "Most files in one drop (env FERRY_MAX_DROP_FILES).")
    var maxDropFiles: Int = Environment.int("FERRY_MAX_DROP_FILES") ?? defaults.maxDropFiles

    @Option(help: "Seconds an upload lives after its last write (env FERRY_UPLOAD_LIFETIME).")
    var uploadLifetime: Int = Environment.int("FERRY_UPLOAD_LIFETIME") ?? Int(defaults.uploadLifetime)

    @Option(help: "Longest expiry of a drop, in seconds (env FERRY_MAX_DROP_LIFETIME).")
    var maxDropLifetime: Int = Environment.int("FERRY_MAX_DROP_LIFETIME") ?? Int(defaults.maxDropLifetime)

    @Option(
        help: "Seconds an opened drop stays downloadable without counting again (env FERRY_DOWNLOAD_TICKET_LIFETIME).")
    var downloadTicketLifetime: Int =
        Environment.int("FERRY_DOWNLOAD_TICKET_LIFETIME") ?? Int(defaults.downloadTicketLifetime)

    @Option(help: "Seconds between sweeps of expired drops and uploads (env FERRY_SWEEP_INTERVAL).")
    var sweepInterval: Int = Environment.int("FERRY_SWEEP_INTERVAL") ?? 60

    @Option(help: "Drops or uploads deleted per sweep (env FERRY_SWEEP_BATCH).")
    var sweepBatch: Int = Environment.int("FERRY_SWEEP_BATCH") ?? defaults.sweepBatch

    @Option(
        help: """
            Seconds an ended drop's record outlives its swept files, so its link says why it ended \
            (expired, revoked, used up) instead of "no such drop"; 0 forgets it at the sweep \
            (env FERRY_ENDED_DROP_MEMORY).
            """)
    var endedDropMemory: Int = Environment.int("FERRY_ENDED_DROP_MEMORY") ?? Int(defaults.endedDropMemory)

    func validate() throws {
        for (name, value) in [
            ("--max-drop-size", maxDropSize), ("--user-quota", userQuota), ("--team-quota", teamQuota),
            ("--max-metadata-size", maxMetadataSize), ("--max-drop-files", maxDropFiles),
            ("--upload-lifetime", uploadLifetime), ("--download-ticket-lifetime", downloadTicketLifetime),
            ("--sweep-interval", sweepInterval), ("--sweep-batch", sweepBatch),
        ] where value <= 0 {
            throw ValidationError("\(name) must be positive")
        }
        guard endedDropMemory >= 0 else { throw ValidationError("--ended-drop-memory must not be negative") }
        guard maxDropLifetime >= Int(DropsConfiguration.minimumDropLifetime) else {
            throw ValidationError("--max-drop-lifetime must be at least \(Int(DropsConfiguration.minimumDropLifetime))")
        }
    }

    /// Applies the flags to `configuration`.
    func apply(to configuration: inout FerryConfiguration) {
        configuration.blobsDirectory = blobs
        var drops = configuration.drops
        drops.maxDropSize = Int64(maxDropSize)
        drops.userQuota = Int64(userQuota)
        drops.teamQuota = Int64(teamQuota)
        drops.maxMetadataSize = maxMetadataSize
        drops.maxDropFiles = maxDropFiles
        drops.uploadLifetime = Double(uploadLifetime)
        drops.maxDropLifetime = Double(maxDropLifetime)
        drops.defaultDropLifetime = min(drops.defaultDropLifetime, drops.maxDropLifetime)
        drops.downloadTicketLifetime = Double(downloadTicketLifetime)
        drops.sweepInterval = .seconds(sweepInterval)
        drops.sweepBatch = sweepBatch
        drops.endedDropMemory = Double(endedDropMemory)
        configuration.drops = drops
    }
}
