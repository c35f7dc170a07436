public import HTTPTypes

/// Collects routes at start-up, then freezes them into a ``Router``.
///
/// Patterns are `/`-separated: literal segments, `:name` parameters and a trailing `*` that
/// captures the rest of the path (raw, still percent-encoded).
public final class RouterBuilder {
    /// The body limit for routes that do not set their own.
    public var defaultMaxBodySize: Int
    private var root = RouteNode()
    /// Every registered (method, pattern), in order: for checks that documents match the routes.
    public private(set) var patterns: [(method: HTTPRequest.Method, pattern: String)] = []

    public init(defaultMaxBodySize: Int = 1024 * 1024) {
        self.defaultMaxBodySize = defaultMaxBodySize
    }

    public func add(
        _ method: HTTPRequest.Method,
        _ pattern: String,
        maxBodySize: Int? = nil,
        handler: RouteHandler
    ) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let endpoint = Endpoint(handler: handler, pattern: pattern, maxBodySize: maxBodySize ?? defaultMaxBodySize)
        root.insert(segments[...], method: method, endpoint: endpoint)
        patterns.append((method, pattern))
    }

    /// A group of routes under a common prefix.
    public func group(_ prefix: String) -> RouteGroup {
        RouteGroup(builder: self, prefix: prefix)
    }

    /// The root group, for registering routes with the same API as groups.
    public var routes: RouteGroup { group("") }

    public func build() -> Router {
        Router(root: root)
    }
}
