import Crypto
import Foundation

/// A drop's metadata document sealed with AES-128-GCM (docs/DROPS.md, "Metadata"): a
/// length-prefixed JSON body zero-padded to a power of two of at least 1 KiB.
public enum SealedMetadata {
    public static let nonceLength = 12
    /// The largest padded plaintext a reader accepts.
    public static let maxPlaintextLength = 4 * 1024 * 1024
    static let additionalData = Array("ferry-drop/v1 metadata".utf8)

    /// The padded size for a JSON body of `length` bytes.
    public static func paddedSize(_ length: Int) -> Int {
        var size = 1024
        while size < 4 + length { size *= 2 }
        return size
    }

    /// The sealed size of a JSON body of `length` bytes: nonce, padded ciphertext, tag.
    public static func sealedSize(_ length: Int) -> Int {
        nonceLength + paddedSize(length) + ContentRecordOpener.tagLength
    }

    /// Seals a JSON body (UTF-8). `nonce` only for test vectors; otherwise random.
    public static func seal(json: [UInt8], key: [UInt8], nonce: [UInt8]? = nil) throws -> [UInt8] {
        let size = paddedSize(json.count)
        guard size <= maxPlaintextLength else { throw DropFormatError.invalid("the metadata is too large") }
        let length = UInt32(json.count)
        var plaintext = [
            UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF),
        ]
        plaintext += json
        plaintext += [UInt8](repeating: 0, count: size - plaintext.count)
        let sealNonce = try nonce.map { try AES.GCM.Nonce(data: $0) } ?? AES.GCM.Nonce()
        let box = try AES.GCM.seal(
            plaintext, using: SymmetricKey(data: key), nonce: sealNonce, authenticating: additionalData)
        return Array(sealNonce) + Array(box.ciphertext) + Array(box.tag)
    }

    /// Opens sealed metadata; returns the JSON body (checked to be a version 1 object).
    public static func open(_ sealed: [UInt8], key: [UInt8]) throws -> [UInt8] {
        let overhead = nonceLength + ContentRecordOpener.tagLength
        guard sealed.count >= overhead + 1024, sealed.count <= overhead + maxPlaintextLength else {
            throw DropFormatError.damaged("the metadata has an impossible size")
        }
        let plaintext: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: sealed.prefix(nonceLength)),
                ciphertext: sealed[nonceLength..<(sealed.count - ContentRecordOpener.tagLength)],
                tag: sealed.suffix(ContentRecordOpener.tagLength))
            plaintext = Array(try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: additionalData))
        } catch {
            throw DropFormatError.damaged("the metadata does not decrypt (a wrong link or password, or changed bytes)")
        }
        let length = plaintext[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard 4 + length <= plaintext.count, plaintext.count == paddedSize(length) else {
            throw DropFormatError.damaged("the metadata's length is wrong")
        }
        guard plaintext[(4 + length)...].allSatisfy({ $0 == 0 }) else {
            throw DropFormatError.damaged("the metadata's padding is not zero")
        }
        let json = Array(plaintext[4..<(4 + length)])
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            object["v"] as? Int == 1
        else { throw DropFormatError.damaged("the metadata is not a version 1 document") }
        return json
    }
}
