import Foundation

/// A drop as the server knows it: sizes, times and counts, the proof's verifier and the
/// password's parameters; never a name or a key.
public struct Drop: Sendable, Equatable {
    public var id: String
    public var userID: UUID
    /// SHA-256 of the download proof token, base64url.
    public var verifier: String
    /// The password's PBKDF2 salt (base64url) and iterations, for a password drop.
    public var passwordSalt: String?
    public var passwordIterations: Int?
    /// The sum of the files' ciphertext lengths.
    public var size: Int64
    public var fileCount: Int
    public var metadataSize: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var maxDownloads: Int?
    public var downloads: Int
    public var revokedAt: Date?
    /// When the sweeper removed the files of this ended drop; the record stays a while to say why
    /// it ended.
    public var sweptAt: Date?

    public init(
        id: String, userID: UUID, verifier: String, passwordSalt: String?, passwordIterations: Int?, size: Int64,
        fileCount: Int, metadataSize: Int, createdAt: Date, expiresAt: Date, maxDownloads: Int?, downloads: Int = 0,
        revokedAt: Date? = nil, sweptAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.verifier = verifier
        self.passwordSalt = passwordSalt
        self.passwordIterations = passwordIterations
        self.size = size
        self.fileCount = fileCount
        self.metadataSize = metadataSize
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.maxDownloads = maxDownloads
        self.downloads = downloads
        self.revokedAt = revokedAt
        self.sweptAt = sweptAt
    }

    /// Whether the drop serves no more, and why. A swept drop keeps the reason it had when it was
    /// swept: a used-up drop does not turn "expired" when its expiry passes later.
    public func state(at now: Date) -> DropState {
        if revokedAt != nil { return .revoked }
        if expiresAt <= min(now, sweptAt ?? now) { return .expired }
        if let maxDownloads, downloads >= maxDownloads { return .exhausted }
        return .active
    }

    /// Whether it can be opened and downloaded: active, or used up while its files are kept (a
    /// reader holding a ticket may finish); never once swept. The state that refuses it otherwise.
    public func servable(at now: Date) -> DropState? {
        let state = state(at: now)
        if sweptAt != nil { return state == .active ? .expired : state }
        return state == .active || state == .exhausted ? nil : state
    }
}

/// Where a drop is in its life.
public enum DropState: String, Sendable {
    case active, expired, revoked, exhausted
}

/// One file of a drop: its stored blob and ciphertext length.
public struct DropFile: Sendable, Equatable {
    public var position: Int
    public var blobID: String
    public var size: Int64
}
