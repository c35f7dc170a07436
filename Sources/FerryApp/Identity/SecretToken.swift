import Crypto
import Foundation

/// Random secrets (session tokens, API tokens, invite codes, setup links) and the hashes under
/// which they are stored. A secret is never stored: a leaked database grants nothing.
public enum SecretToken {
    /// `byteCount` random bytes as base64url without padding.
    public static func generate(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64URL(bytes)
    }

    /// The stored form: SHA-256 as lower-case hex. Secrets are random and long, so a fast hash is
    /// enough (no dictionary to attack).
    public static func hash(_ secret: String) -> String {
        // Runs on every authenticated request: one string, not one per byte.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.base64URLAlphabet, .omitPaddingCharacter])
    }

    /// Whether `text` could be a secret made by ``generate(byteCount:)``: base64url only, of a
    /// sane length. Checked before hashing so that junk never reaches the store.
    public static func isWellFormed(_ text: some StringProtocol, length: ClosedRange<Int> = 20...100) -> Bool {
        length.contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x2d || byte == 0x5f
            }
    }
}
