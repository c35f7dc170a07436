import FerryWeb
import Foundation
import Synchronization

/// The guests of this server and the pairing codes that make them. In memory: a guest lasts one
/// browser session, and a code minutes. (Several instances will share these through the store.)
public final class GuestDirectory: Sendable {
    /// The cookie that carries a guest's secret (`__Host-` under TLS, as the session cookie).
    public static func cookieName(scheme: String) -> String {
        scheme == "https" ? "__Host-ferry_guest" : "ferry_guest"
    }

    private struct Code {
        var memberID: UUID
        var memberName: String
        var expiresAt: Date
    }

    private struct State {
        var codes: [String: Code] = [:]
        var passes: [String: GuestPass] = [:]
    }

    private let state = Mutex(State())
    let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = Date.init) {
        self.clock = clock
    }

    /// The guest a request's cookie names, if its pass is live.
    public func pass(for request: Request, scheme: String) -> GuestPass? {
        guard let secret = request.cookie(Self.cookieName(scheme: scheme)), SecretToken.isWellFormed(secret) else {
            return nil
        }
        let hash = SecretToken.hash(secret)
        let now = clock()
        return state.withLock { state in
            guard let pass = state.passes[hash] else { return nil }
            guard now < pass.expiresAt else {
                state.passes[hash] = nil
                return nil
            }
            return pass
        }
    }

    /// A new single-use code for a member. Codes are 8 characters of an alphabet without
    /// look-alikes (32^8 ≈ 10^12), so guessing within the code's minutes and the claim rate limit
    /// is hopeless.
    func makeCode(memberID: UUID, memberName: String, lifetime: TimeInterval) -> (code: String, expiresAt: Date) {
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        let code = String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
        let expiresAt = clock().addingTimeInterval(lifetime)
        state.withLock { state in
            let now = clock()
            state.codes = state.codes.filter { $0.value.expiresAt > now }
            state.codes[code] = Code(memberID: memberID, memberName: memberName, expiresAt: expiresAt)
        }
        return (code, expiresAt)
    }

    enum ClaimOutcome: Equatable {
        case paired(GuestPass, secret: String)
        case unknown
        case expired
    }

    /// Uses a code (once): the caller becomes a guest paired with the code's member.
    func claim(
        code rawCode: String, deviceID: String, deviceName: String, publicKey: String, lifetime: TimeInterval
    ) -> ClaimOutcome {
        let code = rawCode.uppercased().filter { $0 != "-" && $0 != " " }
        let now = clock()
        return state.withLock { state in
            guard let found = state.codes.removeValue(forKey: code) else { return .unknown }
            guard now < found.expiresAt else { return .expired }
            let secret = SecretToken.generate()
            let pass = GuestPass(
                secretHash: SecretToken.hash(secret), deviceID: deviceID, deviceName: deviceName,
                publicKey: publicKey, memberID: found.memberID, memberName: found.memberName,
                pairingID: SecretToken.generate(byteCount: 16),
                expiresAt: now.addingTimeInterval(lifetime))
            state.passes[pass.secretHash] = pass
            return .paired(pass, secret: secret)
        }
    }

    /// The live guests paired with a member.
    func guests(of memberID: UUID) -> [GuestPass] {
        let now = clock()
        return state.withLock { state in state.passes.values.filter { $0.memberID == memberID && now < $0.expiresAt } }
    }

    /// Ends a guest's pass (its socket closed, or its member lost access).
    func end(_ secretHash: String) {
        state.withLock { _ = $0.passes.removeValue(forKey: secretHash) }
    }
}
