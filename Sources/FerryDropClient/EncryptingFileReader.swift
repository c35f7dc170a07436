import FerryDropFormat
import Foundation
import NIOCore

/// One file's `aes128gcm` ciphertext, sealed record by record as it is read from disk, from any
/// ciphertext offset on (a resumed upload starts at the server's offset: the record it falls in
/// is sealed again, byte-identical because the key, salt and record number are the same). Holds
/// one record in memory.
public actor EncryptingFileReader {
    /// Bytes of the whole stream.
    public nonisolated let ciphertextLength: Int64
    private let handle: FileHandle
    private let path: String
    private let ikm: [UInt8]
    private let salt: [UInt8]
    private let plaintextSize: Int64
    private let recordCount: Int64
    private var sealer: ContentRecordSealer
    private var nextRecord: Int64 = 0
    private var pending: [UInt8] = []
    private var pendingAt = 0
    private var skipInNextRecord = 0
    /// A sent chunk's memory, for the next chunk.
    private var spare: ByteBuffer?

    /// Opens `path`, whose size must be `plaintextSize` (the file must not change while it is sent).
    public init(path: String, plaintextSize: Int64, ikm: [UInt8], salt: [UInt8]) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DropClientError.io("cannot read \(path)")
        }
        self.handle = handle
        self.path = path
        self.ikm = ikm
        self.salt = salt
        self.plaintextSize = plaintextSize
        recordCount = CiphertextLayout.recordCount(plaintextSize: plaintextSize)
        ciphertextLength = CiphertextLayout.ciphertextLength(plaintextSize: plaintextSize)
        sealer = try ContentRecordSealer(ikm: ikm, salt: salt)
        pending = sealer.header.bytes
    }

    deinit {
        try? handle.close()
    }

    /// Continues from ciphertext byte `offset`.
    public func seek(to offset: Int64) throws {
        let point = CiphertextLayout.uploadResumePoint(ciphertextOffset: offset)
        sealer = try ContentRecordSealer(ikm: ikm, salt: salt, firstRecord: point.record)
        try handle.seek(toOffset: UInt64(point.plaintextOffset))
        nextRecord = Int64(point.record)
        if point.ciphertextOffset == 0 {
            pending = sealer.header.bytes
            pendingAt = point.skip
            skipInNextRecord = 0
        } else {
            pending = []
            pendingAt = 0
            skipInNextRecord = point.skip
        }
    }

    /// The next `count` bytes of ciphertext, all of them (one `PATCH`'s chunk), in the memory of
    /// a chunk given back with ``recycle(_:)`` if there is one (16 MiB of fresh memory per chunk
    /// kept the allocator's arenas growing: 150 MiB peak for a 1 GiB send, against 48 MiB).
    public func read(exactly count: Int) throws -> ByteBuffer {
        var out = spare ?? ByteBuffer()
        spare = nil
        out.clear()  // keeps the memory when nothing else refers to it any more, else fresh
        out.reserveCapacity(count)
        try fill(&out, upTo: count)
        guard out.readableBytes == count else { throw DropClientError.io("\(path) ended early") }
        return out
    }

    /// A chunk that was sent: its memory is used for the next ``read(exactly:)``.
    public func recycle(_ buffer: ByteBuffer) {
        spare = buffer
    }

    /// Up to `limit` next bytes of ciphertext; nil at the end of the stream.
    public func read(upTo limit: Int) throws -> ByteBuffer? {
        var out = ByteBuffer()
        out.reserveCapacity(min(limit, 1 << 20))
        try fill(&out, upTo: limit)
        return out.readableBytes == 0 ? nil : out
    }

    /// Appends ciphertext to `out` until it holds `limit` bytes or the stream ends.
    private func fill(_ out: inout ByteBuffer, upTo limit: Int) throws {
        while out.readableBytes < limit {
            if pendingAt == pending.count {
                guard nextRecord < recordCount else { break }
                let last = nextRecord == recordCount - 1
                let want = Int(
                    last
                        ? plaintextSize - nextRecord * Int64(CiphertextLayout.plaintextPerRecord)
                        : Int64(CiphertextLayout.plaintextPerRecord))
                let plaintext = try handle.read(upToCount: want) ?? Data()
                guard plaintext.count == want else {
                    throw DropClientError.io("\(path) changed while it was being sent")
                }
                pending = try sealer.seal(plaintext, last: last)
                pendingAt = skipInNextRecord
                skipInNextRecord = 0
                nextRecord += 1
            }
            let count = min(limit - out.readableBytes, pending.count - pendingAt)
            out.writeBytes(pending[pendingAt..<(pendingAt + count)])
            pendingAt += count
        }
    }
}
