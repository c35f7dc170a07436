import FerryWeb
import HTTPTypes

/// Cross-site request forgery defence without tokens: browsers say where a request comes from
/// (`Sec-Fetch-Site`, or `Origin`), and a request that changes something with the session cookie
/// must come from this very origin.
public enum OriginCheck {
    /// What the browser's fields say about a request.
    public enum Verdict: Sendable, Equatable {
        case sameOrigin
        case crossOrigin
        /// Neither field: not a modern browser's request (a script, curl), or a very old browser.
        case unknown
    }

    public static func verdict(for request: Request, scheme: String) -> Verdict {
        if let site = request.headers[.secFetchSite] {
            // `none`: the user typed the address or used a bookmark.
            return site == "same-origin" || site == "none" ? .sameOrigin : .crossOrigin
        }
        if let origin = request.headers[.origin] {
            guard let authority = request.head.authority else { return .crossOrigin }
            return origin.lowercased() == "\(scheme)://\(authority.lowercased())" ? .sameOrigin : .crossOrigin
        }
        return .unknown
    }

    /// Throws 403 `csrf` unless the request may change state.
    /// - Parameter cookieAuthenticated: the caller is known by the session cookie, which the
    ///   browser attaches to any site's request, so the origin must be proven.
    public static func check(_ request: Request, scheme: String, cookieAuthenticated: Bool) throws {
        switch request.method {
        case .get, .head, .options: return
        default: break
        }
        switch verdict(for: request, scheme: scheme) {
        case .sameOrigin: return
        case .crossOrigin:
            throw HTTPError(.forbidden, detail: "Cross-site requests may not change anything here.", type: "csrf")
        case .unknown where cookieAuthenticated:
            throw HTTPError(
                .forbidden, detail: "The request does not say where it comes from (Origin or Sec-Fetch-Site).",
                type: "csrf")
        case .unknown:
            return
        }
    }

    /// The WebSocket handshake is a GET that opens a long-lived channel with the cookie's
    /// authority, and browsers send cookies with WebSocket handshakes from any site (cross-site
    /// WebSocket hijacking). So a cookie-authenticated handshake must carry an `Origin` equal to
    /// this server's own; a token-authenticated one (a script) may omit it, but not lie.
    public static func checkWebSocket(_ request: Request, scheme: String, cookieAuthenticated: Bool) throws {
        guard let origin = request.headers[.origin] else {
            guard !cookieAuthenticated else {
                throw HTTPError(
                    .forbidden, detail: "A browser's WebSocket handshake must say its Origin.", type: "cross-origin")
            }
            return
        }
        guard let authority = request.head.authority,
            origin.lowercased() == "\(scheme)://\(authority.lowercased())"
        else {
            throw HTTPError(
                .forbidden, detail: "WebSocket handshakes are accepted from this server's own pages only.",
                type: "cross-origin")
        }
    }
}
