import FerryDropFormat
import Foundation
import Testing

@testable import FerryDropClient

@Suite("Streaming: the file reader re-seals from any offset, the decryptor verifies in pieces")
struct StreamingTests {
    static let ikm = [UInt8](repeating: 5, count: 16)
    static let salt = [UInt8](repeating: 6, count: 16)
    static let size = 3 * 65_536 + 1234

    static func plaintext(_ size: Int = size) -> [UInt8] { (0..<size).map { UInt8($0 % 251) } }

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "ferry-reader-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func readAll(_ reader: EncryptingFileReader, piece: Int) async throws -> [UInt8] {
        var out: [UInt8] = []
        while let buffer = try await reader.read(upTo: piece) { out += Array(buffer.readableBytesView) }
        return out
    }

    @Test("the reader's stream is the encoder's, from the start and from any offset")
    func readerMatchesEncoder() async throws {
        let plaintext = Self.plaintext()
        let expected = try ContentRecordSealer.encode(plaintext, ikm: Self.ikm, salt: Self.salt)
        let path = try Self.temporaryFile(plaintext)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try EncryptingFileReader(
            path: path, plaintextSize: Int64(plaintext.count), ikm: Self.ikm, salt: Self.salt)
        #expect(reader.ciphertextLength == Int64(expected.count))
        #expect(try await Self.readAll(reader, piece: 10_000) == expected)
        for offset in [0, 5, 21, 22, 21 + 65_553, 21 + 65_553 + 1, expected.count - 1, expected.count] {
            try await reader.seek(to: Int64(offset))
            #expect(try await Self.readAll(reader, piece: 70_000) == Array(expected[offset...]), "offset \(offset)")
        }
    }

    @Test("the reader refuses a file that shrank")
    func readerNoticesChanges() async throws {
        let path = try Self.temporaryFile(Self.plaintext(1000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try EncryptingFileReader(path: path, plaintextSize: 2000, ikm: Self.ikm, salt: Self.salt)
        await #expect(throws: DropClientError.self) { _ = try await Self.readAll(reader, piece: 4096) }
    }

    @Test("the decryptor opens a stream fed in odd pieces", arguments: [1, 7, 21, 4096, 65_553, 1 << 20])
    func decryptInPieces(piece: Int) throws {
        let plaintext = Self.plaintext()
        let encoded = try ContentRecordSealer.encode(plaintext, ikm: Self.ikm, salt: Self.salt)
        var decryptor = StreamDecryptor(ikm: Self.ikm, salt: Self.salt, plaintextSize: Int64(plaintext.count))
        var out: [UInt8] = []
        var at = 0
        while at < encoded.count {
            out += try decryptor.feed(encoded[at..<min(encoded.count, at + piece)])
            at += piece
        }
        try decryptor.finish()
        #expect(out == plaintext)
    }

    @Test("a resumed download: the header, then the records from a boundary")
    func decryptResumed() throws {
        let plaintext = Self.plaintext()
        let encoded = try ContentRecordSealer.encode(plaintext, ikm: Self.ikm, salt: Self.salt)
        let point = CiphertextLayout.downloadResumePoint(plaintextWritten: 2 * 65_536 + 10)
        var decryptor = StreamDecryptor(
            ikm: Self.ikm, salt: Self.salt, plaintextSize: Int64(plaintext.count), firstRecord: point.record)
        #expect(try decryptor.feed(encoded[0..<21]).isEmpty)
        let rest = try decryptor.feed(encoded[Int(point.ciphertextOffset)...])
        try decryptor.finish()
        #expect(rest == Array(plaintext[Int(point.plaintextOffset)...]))
    }

    @Test("damage: a flipped byte, a truncated stream, another file's salt, extra bytes")
    func damage() throws {
        let plaintext = Self.plaintext()
        let encoded = try ContentRecordSealer.encode(plaintext, ikm: Self.ikm, salt: Self.salt)
        func decrypt(_ bytes: [UInt8], salt: [UInt8] = Self.salt) throws {
            var decryptor = StreamDecryptor(ikm: Self.ikm, salt: salt, plaintextSize: Int64(plaintext.count))
            _ = try decryptor.feed(bytes)
            try decryptor.finish()
        }
        var flipped = encoded
        flipped[100_000] ^= 1
        #expect(throws: DropClientError.self) { try decrypt(flipped) }
        #expect(throws: DropClientError.self) { try decrypt(Array(encoded.dropLast(5))) }
        #expect(throws: DropClientError.self) { try decrypt(Array(encoded.prefix(21 + 65_553))) }
        #expect(throws: DropClientError.self) { try decrypt(encoded, salt: [UInt8](repeating: 9, count: 16)) }
        #expect(throws: DropClientError.self) { try decrypt(encoded + [0]) }
        do {
            try decrypt(flipped)
        } catch DropClientError.damaged {
        } catch {
            Issue.record("not damaged: \(error)")
        }
    }
}
