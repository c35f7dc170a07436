public import NIOCore

/// Where drops keep their bytes: uploads that grow chunk by chunk and become immutable blobs
/// once complete. Ids are the caller's (opaque, path-safe); the store only keeps bytes.
///
/// One implementation today, ``LocalDiskBlobStore``; an S3-compatible store comes with scale-out,
/// which is why nothing here names a file descriptor or a NIO file type: a caller sees lengths,
/// appenders and, for serving, a ``BlobFile``.
public protocol BlobStore: Sendable {
    /// Creates an empty upload.
    func createUpload(_ id: String) async throws
    /// Opens an upload for appending at `acknowledged`: anything past it (bytes written before a
    /// crash but never acknowledged) is cut off first.
    func appender(forUpload id: String, at acknowledged: Int64) async throws -> any BlobAppender
    /// Makes a complete upload an immutable blob, atomically: afterwards the blob exists in full,
    /// or (after a crash) the upload is still there. Completing a completed upload does nothing.
    func completeUpload(_ id: String) async throws
    /// Joins complete blobs, in order, into the new complete blob `id`; the parts stay.
    func concatenate(_ parts: [String], into id: String) async throws
    /// Stores a small complete blob in one step (sealed metadata).
    func put(_ id: String, bytes: ByteBuffer) async throws
    /// A small blob's bytes.
    func get(_ id: String) async throws -> ByteBuffer
    /// A complete blob, for serving; nil when there is none.
    func file(_ id: String) async throws -> BlobFile?
    /// Deletes an upload or a blob, whichever exists; the bytes are gone when this returns.
    func delete(_ id: String) async throws
    /// Every upload and blob present, for sweeps of bytes the records no longer mention.
    func list() async throws -> [BlobEntry]
}

/// Writes one upload's next bytes. Bytes are durable only once ``sync()`` returns.
public protocol BlobAppender: Sendable {
    /// Bytes in the upload so far (acknowledged plus appended).
    var length: Int64 { get async }
    func append(_ bytes: ByteBuffer) async throws
    /// Cuts the upload back to `length` (a chunk that failed its checksum).
    func truncate(to length: Int64) async throws
    /// Makes everything appended durable (fsync).
    func sync() async throws
    func close() async throws
}

/// A complete blob as the web layer serves it (sendfile, ranges).
public struct BlobFile: Sendable, Equatable {
    public var path: String
    public var length: Int64
    /// Seconds since 1970.
    public var modifiedAt: Int64
}

/// An upload or a blob found by ``BlobStore/list()``.
public struct BlobEntry: Sendable, Equatable {
    public var id: String
    /// Seconds since 1970 of the last write.
    public var modifiedAt: Int64
}
