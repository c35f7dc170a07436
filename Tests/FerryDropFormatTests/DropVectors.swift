import Foundation

/// `Tests/vectors/drops.json`: the drop format's published vectors (made by an independent Python
/// implementation; the JavaScript client checks the same file).
struct DropVectors: Decodable {
    struct Keys: Decodable {
        var secret: String
        var password: String?
        var passwordSalt: String?
        var iterations: Int?
        var contentIKM: String
        var metadataKey: String
        var proofToken: String
        var proofVerifier: String
    }

    struct Content: Decodable {
        var name: String
        var contentIKM: String
        var salt: String
        var plaintextLength: Int
        var encodedLength: Int
        var encodedSha256: String
        var encoded: String?
    }

    struct Metadata: Decodable {
        var metadataKey: String
        var nonce: String
        var json: String
        var sealedLength: Int
        var sealed: String
    }

    struct RFC8188: Decodable {
        var section: String
        var ikm: String
        var plaintext: String
        var recordSize: Int
        var salt: String?
        var keyid: String?
        var encoded: String
    }

    var recordSize: Int
    var keys: [Keys]
    var content: [Content]
    var metadata: [Metadata]
    var rfc8188: [RFC8188]

    static func load() throws -> DropVectors {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("vectors/drops.json")
        return try JSONDecoder().decode(DropVectors.self, from: Data(contentsOf: url))
    }
}

/// Byte helpers of the vector tests.
enum Bytes {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func unhex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func base64URL(_ text: String) -> [UInt8] {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Array(Data(base64Encoded: standard)!)
    }

    /// Byte n is n mod 251, as the vectors' plaintexts.
    static func pattern(_ length: Int) -> [UInt8] { (0..<length).map { UInt8($0 % 251) } }
}
