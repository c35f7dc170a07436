import FerryDropFormat

/// Verifies and decrypts one file's ciphertext as it arrives, in any pieces: first the 21-byte
/// header (its salt must be the one the metadata lists), then records from `firstRecord` on, each
/// opened as soon as it is whole. Holds at most one record; every failure is
/// ``DropClientError/damaged(_:)``.
public struct StreamDecryptor {
    /// Plaintext bytes the file must have.
    public let plaintextSize: Int64
    private let ikm: [UInt8]
    private let salt: [UInt8]
    private let recordCount: Int64
    private let ciphertextLength: Int64
    private var opener: ContentRecordOpener?
    private var record: Int64
    private var buffer: [UInt8] = []
    /// Plaintext bytes produced so far, counting those before `firstRecord`.
    public private(set) var plaintextProduced: Int64

    /// - Parameters:
    ///   - firstRecord: the record after the header that the ciphertext fed continues with (a
    ///     resumed download has the plaintext of the records before it already).
    public init(ikm: [UInt8], salt: [UInt8], plaintextSize: Int64, firstRecord: UInt64 = 0) {
        self.ikm = ikm
        self.salt = salt
        self.plaintextSize = plaintextSize
        recordCount = CiphertextLayout.recordCount(plaintextSize: plaintextSize)
        ciphertextLength = CiphertextLayout.ciphertextLength(plaintextSize: plaintextSize)
        record = Int64(firstRecord)
        plaintextProduced = Int64(firstRecord) * Int64(CiphertextLayout.plaintextPerRecord)
    }

    /// Bytes of record `index` of this stream.
    private func recordLength(_ index: Int64) -> Int {
        index < recordCount - 1
            ? CiphertextLayout.recordSize
            : Int(ciphertextLength - Int64(CiphertextLayout.headerLength) - index * Int64(CiphertextLayout.recordSize))
    }

    /// Takes the next ciphertext bytes; returns the plaintext of the records they completed.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        buffer.append(contentsOf: bytes)
        var plaintext: [UInt8] = []
        while true {
            guard var current = opener else {
                guard buffer.count >= CiphertextLayout.headerLength else { return plaintext }
                let header: ContentStreamHeader
                do {
                    header = try ContentStreamHeader(parsing: buffer.prefix(CiphertextLayout.headerLength))
                } catch {
                    throw DropClientError.damaged("a bad stream header")
                }
                guard header.salt == salt, header.recordSize == CiphertextLayout.recordSize, header.keyID.isEmpty
                else { throw DropClientError.damaged("the stream is not the file the metadata lists") }
                opener = try ContentRecordOpener(ikm: ikm, header: header, firstRecord: UInt64(record))
                buffer.removeFirst(CiphertextLayout.headerLength)
                continue
            }
            guard record < recordCount else {
                if buffer.isEmpty { return plaintext }
                throw DropClientError.damaged("data after the last record")
            }
            let length = recordLength(record)
            guard buffer.count >= length else { return plaintext }
            let opened: [UInt8]
            do {
                opened = try current.open(buffer.prefix(length), last: record == recordCount - 1)
            } catch let error as DropFormatError {
                if case .damaged(let detail) = error { throw DropClientError.damaged(detail) }
                throw DropClientError.damaged("\(error)")
            }
            plaintext += opened
            opener = current
            buffer.removeFirst(length)
            record += 1
            plaintextProduced += Int64(opened.count)
        }
    }

    /// Checks that the whole stream arrived and held exactly the metadata's size.
    public func finish() throws {
        guard record == recordCount, buffer.isEmpty, opener?.finished == true else {
            throw DropClientError.damaged("the stream is truncated")
        }
        guard plaintextProduced == plaintextSize else {
            throw DropClientError.damaged("the file's size differs from the metadata")
        }
    }
}
