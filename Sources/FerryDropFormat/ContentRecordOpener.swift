import Crypto

/// Opens an RFC 8188 `aes128gcm` stream one record at a time, checking the records' order, the
/// last-record delimiter and the padding. Every failure is ``DropFormatError/damaged(_:)``.
public struct ContentRecordOpener: Sendable {
    public static let tagLength = 16

    public let header: ContentStreamHeader
    private let keys: ContentStreamKeys
    private var sequence: UInt64 = 0
    public private(set) var finished = false

    /// - Parameters:
    ///   - maxRecordSize: refuses streams whose records would need more memory.
    ///   - firstRecord: the index of the first record to open, for a download resumed from a record
    ///     boundary (0: the whole stream).
    public init(
        ikm: [UInt8], header: ContentStreamHeader, maxRecordSize: Int = DropFormat.recordSize, firstRecord: UInt64 = 0
    ) throws {
        guard header.recordSize <= maxRecordSize else {
            throw DropFormatError.damaged("record size \(header.recordSize) above \(maxRecordSize)")
        }
        self.header = header
        keys = ContentStreamKeys(ikm: ikm, salt: header.salt)
        sequence = firstRecord
    }

    /// Opens the next record; `last` says whether the stream ends after it. Returns its plaintext.
    public mutating func open(_ record: some Collection<UInt8>, last: Bool) throws -> [UInt8] {
        guard !finished else { throw DropFormatError.damaged("data after the last record") }
        guard record.count > Self.tagLength, record.count <= header.recordSize,
            last || record.count == header.recordSize
        else { throw DropFormatError.damaged("a record of the wrong size") }
        let bytes = Array(record)
        let padded: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try keys.nonce(for: sequence), ciphertext: bytes.dropLast(Self.tagLength),
                tag: bytes.suffix(Self.tagLength))
            padded = Array(try AES.GCM.open(box, using: keys.key))
        } catch {
            throw DropFormatError.damaged("record \(sequence) does not decrypt")
        }
        sequence += 1
        guard let end = padded.lastIndex(where: { $0 != 0 }) else {
            throw DropFormatError.damaged("a record without a delimiter")
        }
        switch (padded[end], last) {
        case (2, false): throw DropFormatError.damaged("data after the last record")
        case (1, true): throw DropFormatError.damaged("the stream is truncated")
        case (1, false), (2, true): break
        default: throw DropFormatError.damaged("a bad record delimiter")
        }
        finished = last
        return Array(padded[..<end])
    }

    /// Decodes a whole (small) stream; returns the plaintext and the header.
    public static func decode(_ encoded: [UInt8], ikm: [UInt8], maxRecordSize: Int = DropFormat.recordSize) throws
        -> (plaintext: [UInt8], header: ContentStreamHeader)
    {
        let header = try ContentStreamHeader(parsing: encoded)
        var opener = try ContentRecordOpener(ikm: ikm, header: header, maxRecordSize: maxRecordSize)
        var at = header.length
        guard at < encoded.count else { throw DropFormatError.damaged("the stream has no records") }
        var plaintext: [UInt8] = []
        while at < encoded.count {
            let end = min(encoded.count, at + header.recordSize)
            plaintext += try opener.open(encoded[at..<end], last: end == encoded.count)
            at = end
        }
        return (plaintext, header)
    }
}
