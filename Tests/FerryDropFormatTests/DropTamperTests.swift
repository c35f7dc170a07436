import FerryDropFormat
import Testing

@Suite("Drop format: tampering is detected as damage")
struct DropTamperTests {
    static let ikm = [UInt8](repeating: 3, count: 16)
    static let salt = [UInt8](repeating: 4, count: 16)
    static let per = DropFormat.plaintextPerRecord

    /// Three records, the last partial: header and records.
    func stream(salt: [UInt8] = salt) throws -> (encoded: [UInt8], header: [UInt8], records: [[UInt8]]) {
        let encoded = try ContentRecordSealer.encode(Bytes.pattern(2 * Self.per + 1000), ikm: Self.ikm, salt: salt)
        let size = DropFormat.recordSize
        let records = (0..<3).map { Array(encoded[(21 + $0 * size)..<min(encoded.count, 21 + ($0 + 1) * size)]) }
        return (encoded, Array(encoded[0..<21]), records)
    }

    func isDamaged(_ bytes: [UInt8], ikm: [UInt8] = ikm) -> Bool {
        do {
            _ = try ContentRecordOpener.decode(bytes, ikm: ikm)
            return false
        } catch DropFormatError.damaged {
            return true
        } catch {
            return false
        }
    }

    @Test("a flipped bit, truncation, reordering, repetition and no records")
    func streamDamage() throws {
        let (encoded, header, records) = try stream()
        var flipped = encoded
        flipped[21 + 70_000] ^= 1
        #expect(isDamaged(flipped))
        #expect(isDamaged(header + records[0] + records[1]))
        #expect(isDamaged(Array(encoded.dropLast(5))))
        #expect(isDamaged(header + records[1] + records[0] + records[2]))
        #expect(isDamaged(header + records[0] + records[0] + records[1] + records[2]))
        #expect(isDamaged(header))
        #expect(!isDamaged(encoded))
    }

    @Test("a record from another file or another drop's key")
    func foreignRecords() throws {
        let (encoded, header, records) = try stream()
        let other = try stream(salt: [UInt8](repeating: 9, count: 16))
        #expect(isDamaged(header + records[0] + other.records[1] + records[2]))
        let otherDrop = try DropKeys.derive(secret: [UInt8](repeating: 1, count: 16)).contentIKM
        #expect(isDamaged(encoded, ikm: otherDrop))
    }

    @Test("metadata with a flipped bit or the wrong key")
    func metadataDamage() throws {
        let key = [UInt8](repeating: 7, count: 16)
        var sealed = try SealedMetadata.seal(json: Array(#"{"v":1,"kind":"text","text":"hi"}"#.utf8), key: key)
        #expect(throws: DropFormatError.self) { try SealedMetadata.open(sealed, key: [UInt8](repeating: 8, count: 16)) }
        sealed[40] ^= 0x10
        #expect(throws: DropFormatError.self) { try SealedMetadata.open(sealed, key: key) }
    }

    @Test("names of different lengths seal to the same size")
    func padding() throws {
        let key = [UInt8](repeating: 7, count: 16)
        let short = try SealedMetadata.seal(json: Array(#"{"v":1,"name":"a"}"#.utf8), key: key)
        let long = try SealedMetadata.seal(
            json: Array(#"{"v":1,"name":"\#(String(repeating: "a", count: 900))"}"#.utf8), key: key)
        #expect(short.count == 1024 + 28)
        #expect(long.count == short.count)
    }
}
