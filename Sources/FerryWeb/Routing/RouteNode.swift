import HTTPTypes

/// A node of the routing trie. Matching prefers a literal segment, then a `:parameter`, then a
/// trailing `*`, backtracking only when a branch cannot match the rest of the path.
struct RouteNode: Sendable {
    var literals: [Substring: RouteNode] = [:]
    /// At most one parameter child; an array avoids an indirect box for the recursive type.
    var parameter: [(name: String, node: RouteNode)] = []
    var wildcard: [HTTPRequest.Method: Endpoint] = [:]
    var endpoints: [HTTPRequest.Method: Endpoint] = [:]

    mutating func insert(_ segments: ArraySlice<Substring>, method: HTTPRequest.Method, endpoint: Endpoint) {
        guard let first = segments.first else {
            endpoints[method] = endpoint
            return
        }
        let rest = segments.dropFirst()
        if first == "*" {
            precondition(rest.isEmpty, "`*` must be the last segment of a route pattern")
            wildcard[method] = endpoint
        } else if first.hasPrefix(":") {
            let name = String(first.dropFirst())
            if parameter.isEmpty { parameter.append((name, RouteNode())) }
            precondition(parameter[0].name == name, "conflicting parameter names at the same position")
            parameter[0].node.insert(rest, method: method, endpoint: endpoint)
        } else {
            literals[first, default: RouteNode()].insert(rest, method: method, endpoint: endpoint)
        }
    }

    /// Finds the endpoints for a path (without its leading `/`), walking it in place: no
    /// segment array is allocated. A trailing `/` ends in an empty rest and matches the route
    /// without it.
    func match(_ path: Substring, parameters: inout Parameters) -> [HTTPRequest.Method: Endpoint]? {
        if path.isEmpty {
            if !endpoints.isEmpty { return endpoints }
            return wildcard.isEmpty ? nil : capture(path, into: &parameters)
        }
        // Byte-level search: `firstIndex(of: Character)` and `index(after:)` walk grapheme
        // clusters, which cost more than the rest of the match. A `/` is never inside a cluster.
        let slash = path.utf8.firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
        let segment = path[..<slash]
        let rest = slash == path.endIndex ? path[slash...] : path[path.utf8.index(after: slash)...]
        if let literal = literals[segment], let found = literal.match(rest, parameters: &parameters) {
            return found
        }
        if let (name, node) = parameter.first, !segment.isEmpty {
            var attempt = parameters
            attempt.append(name, String(segment).removingPercentEncodingIfValid)
            if let found = node.match(rest, parameters: &attempt) {
                parameters = attempt
                return found
            }
        }
        return wildcard.isEmpty ? nil : capture(path, into: &parameters)
    }

    /// Every node reachable through literal segments only that has endpoints, keyed by its
    /// segments joined with `/`.
    func collectLiteralRoutes(prefix: String, into table: inout [Substring: [HTTPRequest.Method: Endpoint]]) {
        if !endpoints.isEmpty { table[prefix[...]] = endpoints }
        for (segment, node) in literals {
            node.collectLiteralRoutes(prefix: prefix.isEmpty ? String(segment) : prefix + "/" + segment, into: &table)
        }
    }

    private func capture(_ remainder: Substring, into parameters: inout Parameters) -> [HTTPRequest.Method: Endpoint] {
        parameters.append("*", String(remainder))
        return wildcard
    }
}
