import Foundation
import Testing

@testable import FerryApp

@Suite("Password hashing (scrypt)")
struct PasswordHasherTests {
    let hasher = PasswordHasher(parameters: .testing)

    @Test func hashesVerifyAndCarryTheirParameters() async throws {
        let stored = try await hasher.hash("correct horse battery")
        let parts = stored.split(separator: "$")
        #expect(parts.count == 4)
        #expect(parts[0] == "scrypt")
        #expect(parts[1] == "ln=10,r=8,p=1")
        #expect(try await hasher.verify("correct horse battery", against: stored) == .valid(needsRehash: false))
        #expect(try await hasher.verify("correct horse batterY", against: stored) == .invalid)
        // The same password hashes differently each time (random salt).
        #expect(try await hasher.hash("correct horse battery") != stored)
    }

    @Test func aKnownScryptVectorVerifies() async throws {
        // RFC 7914 §12: scrypt("password", "NaCl", N=1024, r=8, p=16, 64 bytes).
        let salt = PasswordHasher.encode(Array("NaCl".utf8))
        let expected = PasswordHasher.encode(
            [
                0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00, 0x78, 0x56, 0xe7, 0x19, 0x0d, 0x01, 0xe9, 0xfe,
                0x7c, 0x6a, 0xd7, 0xcb, 0xc8, 0x23, 0x78, 0x30, 0xe7, 0x73, 0x76, 0x63, 0x4b, 0x37, 0x31, 0x62,
                0x2e, 0xaf, 0x30, 0xd9, 0x2e, 0x22, 0xa3, 0x88, 0x6f, 0xf1, 0x09, 0x27, 0x9d, 0x98, 0x30, 0xda,
                0xc7, 0x27, 0xaf, 0xb9, 0x4a, 0x83, 0xee, 0x6d, 0x83, 0x60, 0xcb, 0xdf, 0xa2, 0xcc, 0x06, 0x40,
            ])
        let stored = "$scrypt$ln=10,r=8,p=16$\(salt)$\(expected)"
        #expect(try await hasher.verify("password", against: stored) != .invalid)
        #expect(try await hasher.verify("passwore", against: stored) == .invalid)
    }

    @Test func weakerStoredParametersAskForARehash() async throws {
        let old = try await PasswordHasher(parameters: ScryptParameters(logN: 8)).hash("correct horse battery")
        #expect(try await hasher.verify("correct horse battery", against: old) == .valid(needsRehash: true))
        let stronger = try await PasswordHasher(parameters: ScryptParameters(logN: 11)).hash("correct horse battery")
        #expect(try await hasher.verify("correct horse battery", against: stronger) == .valid(needsRehash: false))
    }

    @Test(arguments: [
        "", "plain", "$scrypt$ln=10,r=8,p=1$c2FsdA", "$bcrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA",
        "$scrypt$ln=99,r=8,p=1$c2FsdA$aGFzaA", "$scrypt$ln=10,r=8$c2FsdA$aGFzaA", "$scrypt$ln=10,r=8,p=1$!!!$aGFzaA",
        "$scrypt$ln=10,r=8,p=1,x=2$c2FsdA$aGFzaA",
    ])
    func malformedStoredHashesNeverVerify(_ stored: String) async throws {
        #expect(try await hasher.verify("anything", against: stored) == .invalid)
    }

    @Test func parametersOrderByCost() {
        #expect(ScryptParameters(logN: 14) < ScryptParameters(logN: 15))
        #expect(ScryptParameters(logN: 15, r: 4) < ScryptParameters(logN: 15, r: 8))
        #expect(ScryptParameters.standard.memoryBytes == 32 * 1024 * 1024)
        #expect(ScryptParameters(parsing: "ln=15,r=8,p=1") == .standard)
    }
}
