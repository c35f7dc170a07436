import Crypto
import FerryStore
import FerryWeb
import Foundation

extension SignallingHub {
    /// A pairing code for the calling member; `label` says who it is for (shown to the member's
    /// devices with the guest, since the guest cannot change it).
    func makePairingCode(for principal: Principal, label: String? = nil) -> (code: String, expiresAt: Date) {
        let made = guests.makeCode(
            memberID: principal.user.id, memberName: principal.user.displayName, label: label,
            lifetime: configuration.pairingCodeLifetime)
        let code = made.code
        return (String(code.prefix(4)) + "-" + String(code.suffix(4)), made.expiresAt)
    }

    /// A browser without an account uses a code; wrong and expired codes are limited per client
    /// address. Only those count: a guess is a well-formed code that is not there, while a guest
    /// who pairs (many may share one office address) or a malformed request guesses nothing.
    func claimPairing(
        code: String?, deviceID: String?, deviceName: String?, publicKey: String?, context: ActionContext
    ) async throws -> (pass: GuestPass, secret: String) {
        let address = context.clientAddress ?? "unknown"
        if let wait = pairingLimiter.retryAfter(address, now: context.now) {
            throw HTTPError(
                .tooManyRequests, detail: "Too many pairing attempts. Try again in \(Int(wait)) seconds.",
                type: "too-many-attempts", headers: [.retryAfter: String(Int(wait))])
        }
        var rules = InputRules()
        let shape = (code ?? "").uppercased().filter { $0 != "-" && $0 != " " }
        if shape.count != 8 { rules.fail("/code", "A pairing code has 8 characters.") }
        if !ClientMessage.isDeviceID(deviceID ?? "") {
            rules.fail("/device/id", "A device id is 22 base64url characters.")
        }
        let name = Self.deviceName(deviceName, rules: &rules, pointer: "/device/name")
        if !Self.isP256PublicKey(publicKey) {
            rules.fail("/device/publicKey", "The public key is an ECDSA P-256 SubjectPublicKeyInfo in base64url.")
        }
        try rules.check()
        switch guests.claim(
            code: shape, deviceID: deviceID ?? "", deviceName: name, publicKey: publicKey ?? "",
            lifetime: configuration.guestLifetime, grace: configuration.guestReconnectGrace)
        {
        case .paired(let pass, let secret):
            // A code outlives nothing its member lost: a disabled or deleted member's code pairs
            // nobody (the identity re-check voids such codes too, but only when something changed).
            let member = try await authenticator.store.user(id: pass.memberID)
            guard let member, !member.disabled else {
                guests.end(pass.secretHash)
                throw HTTPError(
                    .notFound, detail: "This pairing code is unknown or was already used.", type: "pairing-invalid")
            }
            // Kept, so that a restart does not end the pairing; a pass the store did not take is
            // not handed out (it would end at the next restart without a word).
            do {
                try await passes.save(pass)
            } catch {
                guests.end(pass.secretHash)
                throw error
            }
            // Ended while it was being saved (its member ended it as it appeared): the row written
            // after the end's delete must go too, or a restart would bring the pairing back.
            guard guests.isKnown(pass.secretHash) else {
                try? await passes.delete(secretHashes: [pass.secretHash])
                throw HTTPError(
                    .notFound, detail: "This pairing code is unknown or was already used.", type: "pairing-invalid")
            }
            return (pass, secret)
        case .unknown:
            pairingLimiter.record(address, now: context.now)
            throw HTTPError(
                .notFound, detail: "This pairing code is unknown or was already used.", type: "pairing-invalid")
        case .expired:
            pairingLimiter.record(address, now: context.now)
            throw HTTPError(.gone, detail: "This pairing code has expired; ask for a new one.", type: "pairing-expired")
        }
    }

    /// ICE servers for a peer: the STUN URLs, and TURN with coturn's REST credentials (username
    /// `EXPIRY:NAME`, password base64(HMAC-SHA1(secret, username))), valid for a limited time.
    func iceConfiguration(for name: String, now: Date) -> IceDocument {
        var servers: [IceDocument.Server] = []
        if !configuration.stunURLs.isEmpty { servers.append(.init(urls: configuration.stunURLs)) }
        let expiresAt = now.addingTimeInterval(configuration.turnCredentialLifetime)
        if let url = configuration.turnURL, let secret = configuration.turnSecret {
            let username = "\(Int(expiresAt.timeIntervalSince1970)):\(name)"
            let mac = HMAC<Insecure.SHA1>.authenticationCode(
                for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            servers.append(.init(urls: [url], username: username, credential: Data(mac).base64EncodedString()))
        }
        return IceDocument(iceServers: servers, expiresAt: expiresAt)
    }
}
