import HTTPTypes

/// An immutable routing table built by ``RouterBuilder``.
public struct Router: Sendable {
    /// The outcome of routing a request.
    enum Match {
        case found(Endpoint, Parameters)
        /// The path exists but not for this method; `allowed` is the `Allow` list.
        case methodNotAllowed(allowed: [HTTPRequest.Method])
        /// `OPTIONS` on a path that has no explicit OPTIONS route.
        case options(allowed: [HTTPRequest.Method])
        case notFound
    }

    let root: RouteNode
    /// Routes made only of literal segments, by their path without leading or trailing `/`: most
    /// requests are answered by one hash lookup instead of a walk of the trie. The trie prefers
    /// literals at every level, so both always agree.
    let literalRoutes: [Substring: [HTTPRequest.Method: Endpoint]]

    init(root: RouteNode) {
        self.root = root
        var table: [Substring: [HTTPRequest.Method: Endpoint]] = [:]
        root.collectLiteralRoutes(prefix: "", into: &table)
        self.literalRoutes = table
    }

    func match(method: HTTPRequest.Method, path: Substring) -> Match {
        var parameters = Parameters()
        let firstNonSlash = path.utf8.firstIndex { $0 != UInt8(ascii: "/") } ?? path.endIndex
        let relative = path[firstNonSlash...]
        let key = relative.utf8.last == UInt8(ascii: "/") ? relative.dropLast() : relative
        guard
            let endpoints = literalRoutes[key] ?? root.match(relative, parameters: &parameters)
        else {
            return .notFound
        }
        if let endpoint = endpoints[method] {
            return .found(endpoint, parameters)
        }
        if method == .head, let endpoint = endpoints[.get] {
            return .found(endpoint, parameters)
        }
        let allowed = Self.allowList(endpoints.keys)
        if method == .options { return .options(allowed: allowed) }
        return .methodNotAllowed(allowed: allowed)
    }

    static func allowList(_ methods: some Sequence<HTTPRequest.Method>) -> [HTTPRequest.Method] {
        var set = Set(methods.map(\.rawValue))
        if set.contains("GET") { set.insert("HEAD") }
        set.insert("OPTIONS")
        return set.sorted().compactMap { HTTPRequest.Method($0) }
    }
}
