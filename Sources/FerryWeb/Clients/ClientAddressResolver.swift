import HTTPTypes

/// Finds the client's address: the socket peer, or — only when that peer is a trusted proxy —
/// the right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left of it
/// were written by the client and prove nothing.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [IPAddressRange]

    public init(trustedProxies: [IPAddressRange] = []) {
        self.trustedProxies = trustedProxies
    }

    public func address(of request: Request) -> String? {
        guard let peer = request.connection.remoteIP else { return nil }
        guard isTrusted(peer) else { return peer }
        let hops = request.headers[values: .xForwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { String($0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
        for hop in hops.reversed() {
            // A malformed entry ends the trust chain: what lies left of it cannot be vouched for.
            guard IPAddressRange.bytes(of: hop) != nil else { return peer }
            if !isTrusted(hop) { return hop }
        }
        // Every hop is a trusted proxy: the left-most one is the closest thing to a client.
        return hops.first ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension ClientAddressResolver {
    /// `https` or `http` as the client sees it: the connection's, or `X-Forwarded-Proto` when the
    /// peer is a trusted proxy (TLS ends at the proxy).
    public func scheme(of request: Request) -> String {
        if request.connection.isSecure { return "https" }
        if let peer = request.connection.remoteIP, trustedProxies.contains(where: { $0.contains(peer) }),
            let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased(),
            forwarded == "https"
        {
            return "https"
        }
        return "http"
    }
}
