import FerryStore
import Foundation
import NIOCore

/// A drop to create, as the API decoded it (docs/DROPS.md, `POST /drops`).
struct NewDrop: Sendable {
    /// SHA-256 of the proof token (32 bytes).
    var verifier: [UInt8]
    var metadata: ByteBuffer
    /// Upload ids, in the order of the metadata's files.
    var files: [String]
    var passwordSalt: [UInt8]?
    var passwordIterations: Int?
    var expiresIn: TimeInterval?
    var maxDownloads: Int?
}

/// What opening a drop hands the downloader.
struct OpenedDrop: Sendable {
    var ticket: String
    var ticketExpiresAt: Date
    var drop: Drop
    var metadata: ByteBuffer
    var files: [DropFile]
}
