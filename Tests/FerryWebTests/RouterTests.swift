import FerryHTTP
import HTTPTypes
import NIOCore
import Testing

@testable import FerryWeb

@Suite("Router")
struct RouterTests {
    static func endpointPattern(_ match: Router.Match) -> String? {
        if case .found(let endpoint, _) = match { return endpoint.pattern }
        return nil
    }

    static func parameters(_ match: Router.Match) -> Parameters? {
        if case .found(_, let parameters) = match { return parameters }
        return nil
    }

    static func makeRouter() -> Router {
        let builder = RouterBuilder()
        let handler: @Sendable (Request) throws -> Response = { _ in .text("x") }
        let routes = builder.routes
        routes.onInline(.get, "/", handler)
        routes.onInline(.get, "/users/:id", handler)
        routes.onInline(.get, "/users/me", handler)
        routes.onInline(.get, "/users/:id/files/:file", handler)
        routes.onInline(.post, "/users/:id", handler)
        routes.onInline(.get, "/assets/*", handler)
        let api = builder.group("/api").group("v1")
        api.onInline(.get, "/health", handler)
        routes.onInline(.get, "/*", handler)
        return builder.build()
    }

    @Test(
        "patterns match with literal before parameter before wildcard",
        arguments: [
            ("/", "/"), ("/users/42", "/users/:id"), ("/users/me", "/users/me"),
            ("/users/42/files/a.txt", "/users/:id/files/:file"), ("/assets/css/app.css", "/assets/*"),
            ("/api/v1/health", "/api/v1/health"), ("/users/42/other", "/*"), ("/anything/else", "/*"),
            ("/users/42/", "/users/:id"),
        ])
    func matching(path: String, pattern: String) {
        let router = Self.makeRouter()
        #expect(Self.endpointPattern(router.match(method: .get, path: path[...])) == pattern)
    }

    @Test(
        "the literal-route table and the trie agree on every path",
        arguments: [
            "/", "//", "/users/me", "/users/me/", "/users/me//", "/users//me", "/api/v1/health", "///api/v1/health/",
            "/api/v1", "/api", "/users", "/assets", "/users/42", "/nothing", "/api/v1/health/x",
        ])
    func literalTableAgreesWithTrie(path: String) {
        let router = Self.makeRouter()
        #expect(router.literalRoutes.keys.sorted() == ["", "api/v1/health", "users/me"])
        var parameters = Parameters()
        let fromTrie = router.root.match(path.drop(while: { $0 == "/" }), parameters: &parameters)
        let fromRouter = router.match(method: .get, path: path[...])
        let trieMatch = fromTrie?[.get].map(\.pattern)
        #expect(Self.endpointPattern(fromRouter) == trieMatch)
    }

    @Test("parameters are captured and percent-decoded; the wildcard keeps the raw rest")
    func parameters() {
        let router = Self.makeRouter()
        let match = router.match(method: .get, path: "/users/a%20b/files/c%2Fd")
        #expect(Self.parameters(match)?["id"] == "a b")
        #expect(Self.parameters(match)?["file"] == "c/d")
        let wildcard = router.match(method: .get, path: "/assets/a%20b/c.css")
        #expect(Self.parameters(wildcard)?.wildcard == "a%20b/c.css")
    }

    @Test("a known path with another method is 405 with the Allow list; HEAD uses GET")
    func methods() {
        let builder = RouterBuilder()
        builder.routes.onInline(.get, "/only-get") { _ in .text("x") }
        builder.routes.onInline(.post, "/only-post") { _ in .text("x") }
        let router = builder.build()
        guard case .methodNotAllowed(let allowed) = router.match(method: .delete, path: "/only-get") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed.map(\.rawValue) == ["GET", "HEAD", "OPTIONS"])
        #expect(Self.endpointPattern(router.match(method: .head, path: "/only-get")) == "/only-get")
        guard case .options(let postAllowed) = router.match(method: .options, path: "/only-post") else {
            Issue.record("expected automatic OPTIONS")
            return
        }
        #expect(postAllowed.map(\.rawValue) == ["OPTIONS", "POST"])
        guard case .notFound = router.match(method: .get, path: "/missing") else {
            Issue.record("expected 404")
            return
        }
    }
}
