import FerryApp
import Foundation
import Testing

/// The OpenAPI document served at /api/v1/openapi.json against the routes the server really has:
/// a route missing from the document, or a documented route that does not exist, fails.
@Suite("OpenAPI document matches the routes")
struct OpenAPIDocumentTests {
    @Test func documentAndRoutesAgree() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let response = try await fixture.client.send("GET", "/api/v1/openapi.json")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: [String: String] = [:]  // "GET /teams/{teamID}" → rule
        for (path, operations) in paths {
            // HEAD and OPTIONS too: tus routes register them (a GET route's HEAD is not registered:
            // the router answers it from the GET, so it is not in `routePatterns` either).
            for (method, operation) in operations
            where ["get", "head", "options", "post", "put", "patch", "delete"].contains(method) {
                let rule = (operation as? [String: Any])?["x-ferry-rule"] as? String
                documented["\(method.uppercased()) \(path)"] = rule ?? "?"
            }
        }
        let served = Set(
            // A WebSocket route's extended CONNECT (HTTP/2) is documented as its GET.
            fixture.live.server.routePatterns.filter { $0.pattern.hasPrefix("/api/v1/") && $0.method != .connect }.map {
                route in
                let path = route.pattern.dropFirst("/api/v1".count).split(separator: "/").map { segment in
                    segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
                }
                return "\(route.method.rawValue) /" + path.joined(separator: "/")
            })
        #expect(served.subtracting(documented.keys).sorted() == [], "routes the document does not name")
        #expect(Set(documented.keys).subtracting(served).sorted() == [], "documented routes that do not exist")
        // Each identity route's rule is the one the document states.
        for route in fixture.live.server.apiRoutes {
            let key = "\(route.method.rawValue) \(route.path)"
            #expect(documented[key] == route.rule.rawValue, "\(key)")
        }
    }
}
