import Crypto
import FerryDropFormat
import Foundation
import Testing

@Suite("Drop format (docs/DROPS.md) against the published vectors")
struct DropFormatTests {
    let vectors: DropVectors

    init() throws { vectors = try DropVectors.load() }

    @Test("the vectors use the record size the code uses")
    func recordSize() {
        #expect(vectors.recordSize == DropFormat.recordSize)
        #expect(DropFormat.plaintextPerRecord == 65_536)
    }

    @Test("RFC 8188 §3.1 is reproduced byte for byte, and §3.2 (two records, a key id, padding) decodes")
    func rfc8188Examples() throws {
        let first = try #require(vectors.rfc8188.first { $0.section == "3.1" })
        let encoded = try ContentRecordSealer.encode(
            Array(first.plaintext.utf8), ikm: Bytes.base64URL(first.ikm), salt: Bytes.base64URL(first.salt ?? ""),
            recordSize: first.recordSize)
        #expect(encoded == Bytes.base64URL(first.encoded))
        let second = try #require(vectors.rfc8188.first { $0.section == "3.2" })
        let (plaintext, header) = try ContentRecordOpener.decode(
            Bytes.base64URL(second.encoded), ikm: Bytes.base64URL(second.ikm))
        #expect(String(decoding: plaintext, as: UTF8.self) == second.plaintext)
        #expect(header.recordSize == 25)
        #expect(header.keyID == Array("a1".utf8))
    }

    @Test("keys with and without a password (typed decomposed, derived composed)")
    func keys() throws {
        for vector in vectors.keys {
            let password = try vector.password.map {
                DropPassword(
                    password: $0, salt: Bytes.base64URL(try #require(vector.passwordSalt)),
                    iterations: try #require(vector.iterations))
            }
            let keys = try DropKeys.derive(secret: Bytes.base64URL(vector.secret), password: password)
            #expect(Bytes.hex(keys.contentIKM) == vector.contentIKM)
            #expect(Bytes.hex(keys.metadataKey) == vector.metadataKey)
            #expect(Bytes.hex(keys.proofToken) == vector.proofToken)
            #expect(Bytes.hex(keys.proofVerifier) == vector.proofVerifier)
        }
    }

    @Test("too few iterations and a short secret are refused")
    func badKeyInputs() {
        #expect(throws: DropFormatError.self) {
            try DropKeys.derive(
                secret: [UInt8](repeating: 0, count: 16),
                password: DropPassword(password: "x", salt: [UInt8](repeating: 0, count: 16), iterations: 599_999))
        }
        #expect(throws: DropFormatError.self) { try DropKeys.derive(secret: [1, 2, 3]) }
    }

    @Test("content streams encode to the published bytes and decode back")
    func content() throws {
        for vector in vectors.content {
            let ikm = Bytes.unhex(vector.contentIKM)
            let encoded = try ContentRecordSealer.encode(
                Bytes.pattern(vector.plaintextLength), ikm: ikm, salt: Bytes.base64URL(vector.salt))
            #expect(encoded.count == vector.encodedLength, "\(vector.name)")
            #expect(Bytes.hex(Array(SHA256.hash(data: encoded))) == vector.encodedSha256, "\(vector.name)")
            if let published = vector.encoded { #expect(encoded == Bytes.base64URL(published)) }
            let (plaintext, header) = try ContentRecordOpener.decode(encoded, ikm: ikm)
            #expect(plaintext == Bytes.pattern(vector.plaintextLength), "\(vector.name)")
            #expect(header.salt == Bytes.base64URL(vector.salt))
        }
    }

    @Test("sealed metadata opens, and sealing with the vector's nonce gives the same bytes")
    func metadata() throws {
        for vector in vectors.metadata {
            let key = Bytes.unhex(vector.metadataKey)
            let json = try SealedMetadata.open(Bytes.base64URL(vector.sealed), key: key)
            #expect(String(decoding: json, as: UTF8.self) == vector.json)
            let sealed = try SealedMetadata.seal(json: json, key: key, nonce: Bytes.base64URL(vector.nonce))
            #expect(sealed == Bytes.base64URL(vector.sealed))
            #expect(sealed.count == vector.sealedLength)
        }
    }

    @Test("the sealed size a client checks before sending is what sealing makes")
    func sealedSize() throws {
        let key = [UInt8](repeating: 7, count: 16)
        // Around each power-of-two step of the padding: 1020 bytes fill 1 KiB with the length prefix.
        for length in [0, 1, 1019, 1020, 1021, 2044, 2045, 100_000] {
            let sealed = try SealedMetadata.seal(json: [UInt8](repeating: 0x61, count: length), key: key)
            #expect(SealedMetadata.sealedSize(length) == sealed.count, "\(length)")
        }
        #expect(SealedMetadata.sealedSize(1020) == 1052 && SealedMetadata.sealedSize(1021) == 2076)
    }
}
