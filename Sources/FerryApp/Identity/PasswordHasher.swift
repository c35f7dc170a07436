import Crypto
import CryptoExtras
import Foundation

/// Hashes and checks passwords with scrypt, off the Swift concurrency pool: a hash takes tens of
/// milliseconds of CPU and 32 MiB, so at most ``maxConcurrentHashes`` run at once on their own
/// threads while request handling goes on.
///
/// Stored form: `$scrypt$ln=15,r=8,p=1$SALT$HASH` (base64 without padding), so the cost can be
/// raised later; ``verify(_:against:)`` says when a stored hash is weaker than the current one.
public struct PasswordHasher: Sendable {
    public enum Verification: Sendable, Equatable {
        case invalid
        /// The password is right; `needsRehash` when its hash used weaker parameters.
        case valid(needsRehash: Bool)
    }

    public let parameters: ScryptParameters
    /// Hashes running at once; more wait. Bounds memory to `maxConcurrentHashes` × 32 MiB.
    public let maxConcurrentHashes: Int
    private let gate: AsyncGate
    static let saltLength = 16
    static let hashLength = 32

    public init(parameters: ScryptParameters = .standard, maxConcurrentHashes: Int = 2) {
        self.parameters = parameters
        self.maxConcurrentHashes = maxConcurrentHashes
        self.gate = AsyncGate(limit: maxConcurrentHashes)
    }

    public func hash(_ password: String) async throws -> String {
        var salt = [UInt8](repeating: 0, count: Self.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let derived = try await derive(password, salt: salt, parameters: parameters)
        return "$scrypt$\(parameters)$\(Self.encode(salt))$\(Self.encode(derived))"
    }

    public func verify(_ password: String, against stored: String) async throws -> Verification {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0] == "scrypt", let storedParameters = ScryptParameters(parsing: parts[1]),
            let salt = Self.decode(parts[2]), let expected = Self.decode(parts[3]), !expected.isEmpty
        else { return .invalid }
        let derived = try await derive(password, salt: salt, parameters: storedParameters, length: expected.count)
        guard Self.constantTimeEqual(derived, expected) else { return .invalid }
        return .valid(needsRehash: storedParameters < parameters)
    }

    /// Spends the same time as checking a real hash, for sign-in with an unknown email: the
    /// answer's timing must not tell which emails have accounts.
    public func verifyNothing(_ password: String) async throws {
        _ = try await derive(password, salt: [UInt8](repeating: 0, count: Self.saltLength), parameters: parameters)
    }

    private func derive(
        _ password: String, salt: [UInt8], parameters: ScryptParameters, length: Int = hashLength
    ) async throws -> [UInt8] {
        try await gate.withPermit {
            // A thread of its own per hash (the gate bounds how many), not a Dispatch global
            // queue: the concurrency runtime runs on those queues on Linux, and with two cores a
            // parallel test run was seen stalled with hashes that never started there.
            try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(
                        with: Result {
                            let key = try KDF.Scrypt.deriveKey(
                                from: Array(password.utf8), salt: salt, outputByteCount: length,
                                rounds: 1 << parameters.logN, blockSize: parameters.r, parallelism: parameters.p)
                            return key.withUnsafeBytes { Array($0) }
                        })
                }.start()
            }
        }
    }

    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        while padded.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map { Array($0) }
    }
}
