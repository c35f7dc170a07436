import FerryDropFormat

/// Where plaintext and ciphertext bytes of one file's `aes128gcm` stream line up
/// (docs/DROPS.md, "Content"): a 21-byte header, then records of 65,553 bytes that each carry
/// 64 KiB of plaintext, the last one shorter. Resumed uploads and downloads start on a record
/// boundary, which this computes.
public enum CiphertextLayout {
    /// Bytes of the header (empty key id).
    public static let headerLength = ContentStreamHeader.fixedLength
    /// Bytes of every full record.
    public static let recordSize = DropFormat.recordSize
    /// Plaintext bytes of every full record.
    public static let plaintextPerRecord = DropFormat.plaintextPerRecord
    /// Bytes a record adds to its plaintext (delimiter and tag).
    public static let recordOverhead = recordSize - plaintextPerRecord

    /// Records of a plaintext of `size` bytes (an empty file still has one).
    public static func recordCount(plaintextSize size: Int64) -> Int64 {
        max(1, (size + Int64(plaintextPerRecord) - 1) / Int64(plaintextPerRecord))
    }

    /// Bytes of the whole stream of a plaintext of `size` bytes.
    public static func ciphertextLength(plaintextSize size: Int64) -> Int64 {
        Int64(headerLength) + size + recordCount(plaintextSize: size) * Int64(recordOverhead)
    }

    /// The plaintext size of a stream of `length` bytes, nil when no plaintext has that length.
    public static func plaintextSize(ciphertextLength length: Int64) -> Int64? {
        let body = length - Int64(headerLength)
        guard body >= Int64(recordOverhead) else { return nil }
        let records = (body + Int64(recordSize) - 1) / Int64(recordSize)
        let size = body - records * Int64(recordOverhead)
        guard size >= 0, ciphertextLength(plaintextSize: size) == length else { return nil }
        return size
    }

    /// Where a resumed upload starts re-sealing when the server holds `offset` bytes: the record
    /// that byte falls in, its first plaintext byte, its first ciphertext byte, and how many of
    /// its bytes the server already has (`offset` may fall inside the header or a record).
    public static func uploadResumePoint(ciphertextOffset offset: Int64) -> ResumePoint {
        guard offset >= Int64(headerLength) else {
            return ResumePoint(record: 0, plaintextOffset: 0, ciphertextOffset: 0, skip: Int(max(0, offset)))
        }
        let record = (offset - Int64(headerLength)) / Int64(recordSize)
        let start = Int64(headerLength) + record * Int64(recordSize)
        return ResumePoint(
            record: UInt64(record), plaintextOffset: record * Int64(plaintextPerRecord), ciphertextOffset: start,
            skip: Int(offset - start))
    }

    /// Where a resumed download continues when `written` verified plaintext bytes are on disk:
    /// the last whole record's end (a partly written record is fetched again).
    public static func downloadResumePoint(plaintextWritten written: Int64) -> ResumePoint {
        let record = max(0, written) / Int64(plaintextPerRecord)
        return ResumePoint(
            record: UInt64(record), plaintextOffset: record * Int64(plaintextPerRecord),
            ciphertextOffset: Int64(headerLength) + record * Int64(recordSize), skip: 0)
    }
}

/// A record boundary to resume at (see ``CiphertextLayout``).
public struct ResumePoint: Sendable, Equatable {
    /// The index of the record.
    public var record: UInt64
    /// Its first plaintext byte.
    public var plaintextOffset: Int64
    /// Its first ciphertext byte (0: the header).
    public var ciphertextOffset: Int64
    /// Bytes from `ciphertextOffset` on that the other side already has.
    public var skip: Int
}
