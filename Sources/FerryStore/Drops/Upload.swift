import Foundation

/// A tus upload: bytes on their way into a blob of the same id (docs/DROPS.md).
public struct Upload: Sendable, Equatable {
    /// How the upload takes part in tus concatenation.
    public enum Concatenation: String, Sendable {
        /// An ordinary upload.
        case none
        /// A part, only for joining into a final upload.
        case partial
        /// Joined from parts; complete from the start.
        case final
    }

    public var id: String
    public var userID: UUID
    public var length: Int64
    /// Bytes acknowledged: written and fsynced.
    public var offset: Int64
    public var concatenation: Concatenation
    /// A final upload's parts, as the client named them (tus repeats them in `Upload-Concat`).
    public var parts: [String]
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        id: String, userID: UUID, length: Int64, offset: Int64 = 0, concatenation: Concatenation = .none,
        parts: [String] = [], createdAt: Date, expiresAt: Date
    ) {
        self.parts = parts
        self.id = id
        self.userID = userID
        self.length = length
        self.offset = offset
        self.concatenation = concatenation
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public var isComplete: Bool { offset == length }
}
