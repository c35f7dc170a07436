import Crypto

/// Seals one file's plaintext as RFC 8188 `aes128gcm`, one record at a time, so memory holds a
/// single record whatever the file's size (docs/DROPS.md, "Content").
public struct ContentRecordSealer: Sendable {
    public let header: ContentStreamHeader
    private let keys: ContentStreamKeys
    private var sequence: UInt64 = 0
    private var finished = false

    /// Plaintext bytes every record but the last must hold.
    public var plaintextPerRecord: Int { header.recordSize - ContentRecordOpener.tagLength - 1 }

    /// - Parameters:
    ///   - ikm: the drop's content IKM.
    ///   - salt: 16 fresh random bytes for this file.
    ///   - firstRecord: the index of the first record to seal, for a resumed upload that re-creates
    ///     the same ciphertext from a record boundary on (0: the whole stream).
    public init(
        ikm: [UInt8], salt: [UInt8], recordSize: Int = DropFormat.recordSize, keyID: [UInt8] = [],
        firstRecord: UInt64 = 0
    ) throws {
        guard salt.count == 16 else { throw DropFormatError.invalid("the salt must be 16 bytes") }
        guard (18..<(1 << 32)).contains(recordSize), keyID.count <= 255 else {
            throw DropFormatError.invalid("bad record size or key id")
        }
        header = ContentStreamHeader(salt: salt, recordSize: recordSize, keyID: keyID)
        keys = ContentStreamKeys(ikm: ikm, salt: salt)
        sequence = firstRecord
    }

    /// Seals the next record (every record but the last must be full).
    public mutating func seal(_ plaintext: some Collection<UInt8>, last: Bool) throws -> [UInt8] {
        guard !finished else { throw DropFormatError.invalid("the stream has ended") }
        guard plaintext.count <= plaintextPerRecord, last || plaintext.count == plaintextPerRecord else {
            throw DropFormatError.invalid("a record but the last must be full")
        }
        var padded = Array(plaintext)
        padded.append(last ? 2 : 1)
        let box = try AES.GCM.seal(padded, using: keys.key, nonce: try keys.nonce(for: sequence))
        sequence += 1
        finished = last
        return Array(box.ciphertext) + Array(box.tag)
    }

    /// The whole stream of a (small) plaintext: header and records.
    public static func encode(
        _ plaintext: [UInt8], ikm: [UInt8], salt: [UInt8], recordSize: Int = DropFormat.recordSize, keyID: [UInt8] = []
    ) throws -> [UInt8] {
        var sealer = try ContentRecordSealer(ikm: ikm, salt: salt, recordSize: recordSize, keyID: keyID)
        let per = sealer.plaintextPerRecord
        let count = max(1, (plaintext.count + per - 1) / per)
        var out = sealer.header.bytes
        for index in 0..<count {
            let piece = plaintext[min(plaintext.count, index * per)..<min(plaintext.count, (index + 1) * per)]
            out += try sealer.seal(piece, last: index == count - 1)
        }
        return out
    }
}
