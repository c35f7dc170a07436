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

    func match(method: HTTPRequest.Method, path: Substring) -> Match {
        var parameters = Parameters()
        guard let endpoints = root.match(path.drop(while: { $0 == "/" }), parameters: &parameters) else {
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
