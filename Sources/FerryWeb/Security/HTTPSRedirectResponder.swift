public import FerryHTTP
import HTTPTypes
import NIOCore

/// Answers every request on the cleartext port of a TLS server with a redirect to the same path
/// over HTTPS: 301 for GET and HEAD, 308 (method and body kept) for the rest.
public final class HTTPSRedirectResponder: HTTPResponder {
    /// The HTTPS port, asked per request: known only once the TLS server is bound.
    private let httpsPort: @Sendable () -> Int

    public init(httpsPort: @escaping @Sendable () -> Int) {
        self.httpsPort = httpsPort
    }

    public func respond(to request: HTTPServerRequest) -> HTTPResponderResult {
        let head = request.head
        guard let host = Self.host(of: head.authority) else {
            return .ready(Self.plain(.badRequest, "A Host is needed to redirect to HTTPS.\n"))
        }
        let port = httpsPort()
        let authority = port == 443 ? host : "\(host):\(port)"
        let path = head.path.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/"
        let status: HTTPResponse.Status =
            head.method == .get || head.method == .head ? .movedPermanently : .permanentRedirect
        var response = HTTPServerResponse(status: status, headerFields: [.location: "https://\(authority)\(path)"])
        response.route = "https-redirect"
        return .ready(response)
    }

    public func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse {
        Self.plain(error.status, "\(error.reason)\n")
    }

    public func requestCompleted(_ record: HTTPExchangeRecord) {}

    /// The host of an authority without its port; IPv6 literals keep their brackets. Nil when
    /// missing or not a plain host (a redirect must not be steered to another form of URL).
    static func host(of authority: String?) -> String? {
        guard var authority, !authority.isEmpty else { return nil }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            authority = String(authority[...close])
        } else if let colon = authority.lastIndex(of: ":") {
            authority = String(authority[..<colon])
        }
        let allowed = authority.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]") || byte == UInt8(ascii: ":")
        }
        return allowed && !authority.isEmpty ? authority : nil
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String) -> HTTPServerResponse {
        HTTPServerResponse(
            status: status, headerFields: [.contentType: "text/plain; charset=utf-8"],
            body: .buffer(.init(string: text)))
    }
}
