import Crypto
import FerryStore
import FerryWeb
import Foundation

extension SignallingHub {
    /// Registers or renames one of the caller's devices (docs/SIGNALLING.md, REST).
    func registerDevice(
        id: String, name rawName: String?, publicKey: String?, for principal: Principal
    ) async throws -> (device: Device, created: Bool) {
        var rules = InputRules()
        if !ClientMessage.isDeviceID(id) { rules.fail("/id", "A device id is 22 base64url characters.") }
        let name = Self.deviceName(rawName, rules: &rules)
        if !Self.isP256PublicKey(publicKey) {
            rules.fail("/publicKey", "The public key is an ECDSA P-256 SubjectPublicKeyInfo in base64url.")
        }
        try rules.check()
        let result = try await storeCall {
            try await devices.register(
                id: id, userID: principal.user.id, name: name, publicKey: publicKey ?? "", now: authenticator.clock())
        }
        if !result.created { await renamed(deviceID: id, to: name) }
        return result
    }

    func devices(of principal: Principal) async throws -> [Device] {
        try await storeCall { try await devices.devices(userID: principal.user.id) }
    }

    func deleteDevice(_ id: String, of principal: Principal) async throws {
        try await storeCall { try await devices.delete(id: id, userID: principal.user.id) }
        deviceDeleted(id)
    }

    /// 1–64 characters after trimming and NFC, no control or bidi characters (also the rule of a
    /// pairing code's label).
    static func deviceName(
        _ raw: String?, rules: inout InputRules, pointer: String = "/name",
        message: String = "A device name has 1 to 64 characters, without control characters."
    ) -> String {
        let name = (raw ?? "").precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        if !ClientMessage.deviceNameLength.contains(name.count)
            || name.unicodeScalars.contains(where: InputRules.isForbidden)
        {
            rules.fail(pointer, message)
        }
        return name
    }

    /// Whether the text is a P-256 public key as SubjectPublicKeyInfo DER in base64url: the
    /// browser's `exportKey("spki")`.
    static func isP256PublicKey(_ text: String?) -> Bool {
        guard let text, text.utf8.count <= 200, let der = Data(base64URL: text) else { return false }
        return (try? P256.Signing.PublicKey(derRepresentation: der)) != nil
    }

    /// A device renamed through the API: its sockets' peers show the new name.
    private func renamed(deviceID: String, to name: String) async {
        // Sockets of this device rename themselves through presence.
        for session in sessionsOfDevice(deviceID) {
            guard var peer = session.peer, peer.device.name != name else { continue }
            peer.device.name = name
            session.updatePeer(peer)
            await presence.update(peer)
        }
    }
}

extension Data {
    /// Base64url without padding, as WebCrypto keys travel in JSON.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !text.contains("+"), !text.contains("/"), !text.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
