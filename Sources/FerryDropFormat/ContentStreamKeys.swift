import Crypto

/// The content-encryption key and base nonce of one RFC 8188 `aes128gcm` stream (§2.2, §2.3).
struct ContentStreamKeys: Sendable {
    let key: SymmetricKey
    let baseNonce: [UInt8]

    init(ikm: [UInt8], salt: [UInt8]) {
        let input = SymmetricKey(data: ikm)
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: input, salt: salt, info: Array("Content-Encoding: aes128gcm\0".utf8), outputByteCount: 16)
        baseNonce = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: input, salt: salt, info: Array("Content-Encoding: nonce\0".utf8), outputByteCount: 12
        ).withUnsafeBytes { Array($0) }
    }

    /// The base nonce XOR the record's sequence number, a 96-bit big-endian integer.
    func nonce(for sequence: UInt64) throws -> AES.GCM.Nonce {
        var nonce = baseNonce
        for index in 0..<8 { nonce[11 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index))) }
        return try AES.GCM.Nonce(data: nonce)
    }
}
