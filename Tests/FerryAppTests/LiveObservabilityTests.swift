import Crypto
import Foundation
import Testing

@Suite("Live: metrics, page security, development mode")
struct LiveObservabilityTests {
    @Test("/metrics counts requests by route and status, with latency histogram and connections")
    func metrics() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        for _ in 0..<3 { _ = try await live.get("/api/v1/health") }
        _ = try await live.get("/api/v1/missing")
        let client = try live.client()  // held open: counted as an open connection
        await client.send("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n")
        let exposition = try #require(await client.readResponses(1).first)
        #expect(exposition.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = exposition.text
        #expect(text.contains(#"ferry_http_requests_total{route="/api/v1/health",method="GET",status="200"} 3"#))
        #expect(text.contains(#"ferry_http_requests_total{route="/*",method="GET",status="404"} 1"#))
        #expect(text.contains(#"ferry_http_request_duration_seconds_count{route="/api/v1/health"} 3"#))
        #expect(text.contains("ferry_http_response_bytes_total"))
        let connections = text.split(separator: "\n").first { $0.hasPrefix("ferry_http_open_connections ") }
        #expect((connections?.split(separator: " ").last).flatMap { Double($0) } ?? 0 >= 1)
    }

    @Test("the network byte counters move by exactly the bytes read from and written to the sockets")
    func networkByteCounters() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        /// One request on its own connection, read to the close: every byte either way is known.
        func exchange(_ request: String) async throws -> (sent: Int, received: [UInt8]) {
            let client = try live.client()
            await client.send(request)
            return (request.utf8.count, await client.readToEnd())
        }
        func scrape() async throws -> (received: Int, sent: Int, wire: (sent: Int, received: Int)) {
            let (sent, received) = try await exchange("GET /metrics HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            let text = String(decoding: received, as: UTF8.self)
            func value(_ name: String) throws -> Int {
                let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + " ") })
                return try #require(Int(line.split(separator: " ")[1]))
            }
            return (
                try value("ferry_network_received_bytes_total"), try value("ferry_network_sent_bytes_total"),
                (sent, received.count)
            )
        }
        let before = try await scrape()
        // A page (a dynamic response) and a static file (sent from the file, sendfile where possible).
        let page = try await exchange("GET /sign-in HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        let file = try await exchange("GET /js/peer-client.js HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        #expect(page.received.count > 1000 && file.received.count > 10_000)
        let after = try await scrape()
        // A scrape counts its own request (read before it answers) but not its own response.
        #expect(after.received - before.received == page.sent + file.sent + after.wire.sent)
        #expect(after.sent - before.sent == before.wire.received + page.received.count + file.received.count)
    }

    @Test("the page's CSP allows exactly its import map, and no inline script otherwise")
    func pageSecurity() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let page = try #require(try await live.get("/sign-in"))
        #expect(page.status == 200)
        #expect(page.header("Cache-Control") == "no-store")
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.header("Referrer-Policy") == "same-origin")
        let csp = try #require(page.header("Content-Security-Policy"))
        #expect(!csp.contains("unsafe-inline"))
        #expect(csp.contains("frame-ancestors 'none'"))
        let html = page.text
        let open = #"<script type="importmap">"#
        let start = try #require(html.range(of: open)).upperBound
        let end = try #require(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        let importMap = String(html[start..<end])
        let hash = Data(SHA256.hash(data: Data(importMap.utf8))).base64EncodedString()
        #expect(csp.contains("'sha256-\(hash)'"))
        #expect(html.components(separatedBy: "<script").count - 1 == 1)  // the import map; the form needs no script
        #expect(!html.contains(#"<script type="module""#))
    }

    @Test("--dev re-indexes Public/ when a file changes")
    func developmentReindex() async throws {
        let root = NSTemporaryDirectory() + "ferry-dev-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data("first".utf8).write(to: URL(fileURLWithPath: root + "/note.txt"))
        let live = try await LiveServer.start(publicDirectory: root) { $0.developmentMode = true }
        defer { Task { await live.stop() } }
        #expect(try await live.get("/note.txt")?.text == "first")
        try Data("second version".utf8).write(to: URL(fileURLWithPath: root + "/note.txt"))
        var text: String?
        for _ in 0..<50 {
            try await Task.sleep(nanoseconds: 100_000_000)
            text = try await live.get("/note.txt")?.text
            if text == "second version" { break }
        }
        #expect(text == "second version")
    }
}
