import Crypto
import CryptoExtras
import Foundation

/// The keys of one drop, derived from the link's secret and an optional password
/// (docs/DROPS.md, "Keys").
public struct DropKeys: Sendable, Equatable {
    /// The IKM of every file's RFC 8188 stream (16 bytes).
    public let contentIKM: [UInt8]
    /// AES-128-GCM key of the sealed metadata.
    public let metadataKey: [UInt8]
    /// Shown to the server to download (32 bytes).
    public let proofToken: [UInt8]
    /// SHA-256 of the proof token: what the server stores.
    public let proofVerifier: [UInt8]

    /// Derives the keys. With a password this runs PBKDF2 (hundreds of milliseconds): call it off
    /// any event loop.
    public static func derive(secret: [UInt8], password: DropPassword? = nil) throws -> DropKeys {
        guard secret.count == DropFormat.secretLength else {
            throw DropFormatError.invalid("the secret must be \(DropFormat.secretLength) bytes")
        }
        var material = secret
        if let password {
            guard (DropFormat.minPasswordIterations...DropFormat.maxPasswordIterations).contains(password.iterations)
            else {
                throw DropFormatError.invalid(
                    "PBKDF2 iterations must be \(DropFormat.minPasswordIterations)…\(DropFormat.maxPasswordIterations)")
            }
            // NFC, so that the same password typed on systems that compose accents differently
            // gives the same key.
            let normalized = Array(password.password.precomposedStringWithCanonicalMapping.utf8)
            let stretched = try KDF.Insecure.PBKDF2.deriveKey(
                from: normalized, salt: password.salt, using: .sha256, outputByteCount: 32, rounds: password.iterations)
            material += stretched.withUnsafeBytes { Array($0) }
        }
        let proofToken = hkdf(material, info: DropFormat.proofInfo, count: 32)
        return DropKeys(
            contentIKM: hkdf(material, info: DropFormat.contentInfo, count: 16),
            metadataKey: hkdf(material, info: DropFormat.metadataInfo, count: 16),
            proofToken: proofToken,
            proofVerifier: Array(SHA256.hash(data: proofToken)))
    }

    /// A new random secret.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<DropFormat.secretLength).map { _ in generator.next() }
    }

    private static func hkdf(_ material: [UInt8], info: [UInt8], count: Int) -> [UInt8] {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: material), salt: DropFormat.hkdfSalt, info: info,
            outputByteCount: count
        ).withUnsafeBytes { Array($0) }
    }
}
