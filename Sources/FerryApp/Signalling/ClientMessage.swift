import Foundation

/// A message a peer sent, parsed and checked against docs/SIGNALLING.md ("Client → server"):
/// the right fields with the right types and shapes, and nothing else.
enum ClientMessage: Equatable, Sendable {
    case hello(device: String)
    case rename(name: String)
    /// `data` is the sender's object, re-encoded as JSON after parsing.
    case signal(to: String, data: String)
    case relayOpen(to: String, relay: String)
    case relayClose(relay: String)

    /// A refused message: the `error` code and text sent back.
    struct Refusal: Error, Equatable, Sendable {
        var code: String
        var message: String
        var ref: String?
    }

    static let deviceNameLength = 1...64

    /// Parses one text message, echoing its `ref` in a refusal when it had a valid one.
    static func parse(_ text: String, maxBytes: Int) -> Result<(ClientMessage, ref: String?), Refusal> {
        guard text.utf8.count <= maxBytes else {
            return .failure(Refusal(code: "too-large", message: "A message may have at most \(maxBytes) bytes."))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return .failure(Refusal(code: "bad-json", message: "A message is one JSON object."))
        }
        var ref: String?
        if let value = object["ref"] {
            guard let text = value as? String, text.count <= 64 else {
                return .failure(Refusal(code: "bad-message", message: "ref is a string of at most 64 characters."))
            }
            ref = text
        }
        do {
            return .success((try message(in: object), ref))
        } catch var refusal as Refusal {
            refusal.ref = ref
            return .failure(refusal)
        } catch {
            return .failure(Refusal(code: "bad-message", message: "The message is malformed.", ref: ref))
        }
    }

    private static func message(in object: [String: Any]) throws -> ClientMessage {
        guard let type = object["type"] as? String else { throw bad("type is required and is a string.") }
        switch type {
        case "hello":
            try only(["v", "device"], in: object)
            // Foundation hands JSON numbers over as NSNumber; the version is the number 1.
            guard let version = (object["v"] as? NSNumber)?.intValue, "\(object["v"]!)" == "1", version == 1 else {
                throw bad("v must be 1: this server speaks version 1.")
            }
            return .hello(device: try field("device", in: object, matching: isDeviceID, "a device id"))
        case "rename":
            try only(["name"], in: object)
            guard let raw = object["name"] as? String else { throw bad("name is required and is a string.") }
            let name = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
            guard deviceNameLength.contains(name.count), !name.unicodeScalars.contains(where: InputRules.isForbidden)
            else { throw bad("name has 1 to 64 characters, without control characters.") }
            return .rename(name: name)
        case "signal":
            try only(["to", "data"], in: object)
            let to = try field("to", in: object, matching: isPeerID, "a peer id")
            guard let data = object["data"] as? [String: Any],
                let encoded = try? JSONSerialization.data(withJSONObject: data, options: [.withoutEscapingSlashes])
            else { throw bad("data is required and is an object.") }
            return .signal(to: to, data: String(decoding: encoded, as: UTF8.self))
        case "relay-open":
            try only(["to", "relay"], in: object)
            return .relayOpen(
                to: try field("to", in: object, matching: isPeerID, "a peer id"),
                relay: try field("relay", in: object, matching: isRelayID, "16 lowercase hex characters"))
        case "relay-close":
            try only(["relay"], in: object)
            return .relayClose(
                relay: try field("relay", in: object, matching: isRelayID, "16 lowercase hex characters"))
        default:
            throw Refusal(code: "unknown-type", message: "There is no message type \(type.prefix(32)).")
        }
    }

    private static func bad(_ message: String) -> Refusal { Refusal(code: "bad-message", message: message) }

    /// Unknown fields are refused: nothing unchecked is ever forwarded.
    private static func only(_ fields: Set<String>, in object: [String: Any]) throws {
        let extra = Set(object.keys).subtracting(fields).subtracting(["type", "ref"])
        if let first = extra.sorted().first { throw bad("Unknown field \(first.prefix(32)).") }
    }

    private static func field(
        _ name: String, in object: [String: Any], matching rule: (String) -> Bool, _ shape: String
    ) throws -> String {
        guard let value = object[name] as? String, rule(value) else { throw bad("\(name) must be \(shape).") }
        return value
    }

    /// 22 base64url characters (128 random bits).
    static func isDeviceID(_ text: String) -> Bool {
        text.utf8.count == 22 && text.utf8.allSatisfy(isBase64URL)
    }

    /// `p_` and 22 base64url characters.
    static func isPeerID(_ text: String) -> Bool {
        text.utf8.count == 24 && text.hasPrefix("p_") && text.utf8.dropFirst(2).allSatisfy(isBase64URL)
    }

    /// 16 lowercase hex characters.
    static func isRelayID(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
            || byte == 0x5F
    }
}
