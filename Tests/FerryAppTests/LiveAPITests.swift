import Foundation
import Testing

/// The real server over real sockets: API basics, errors, keep-alive and pipelining.
@Suite("Live: API and errors")
struct LiveAPITests {
    @Test("health, ready and version answer JSON")
    func systemRoutes() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let health = try #require(try await live.get("/api/v1/health"))
        #expect(health.status == 200)
        #expect(health.header("Content-Type") == "application/json")
        #expect(health.text == #"{"status":"ok"}"#)
        #expect(try await live.get("/api/v1/ready")?.text == #"{"status":"ready"}"#)
        #expect(try await live.get("/api/v1/version")?.text.contains(#""version":"0.1.0""#) == true)
    }

    @Test("a device registration is read and answered with the device, echoing the name sent")
    func deviceRegistration() async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let id = DeviceRoute.newDeviceID()
        let key = DeviceRoute.newPublicKey()
        let created = try #require(
            try await route.live.request(route.put(#"{"name":"Büro laptop","publicKey":"\#(key)"}"#, deviceID: id)))
        #expect(created.status == 201)
        #expect(created.header("Content-Type") == "application/json")
        let device = try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any]
        #expect(device?["id"] as? String == id)
        #expect(device?["name"] as? String == "Büro laptop")
        #expect(device?["publicKey"] as? String == key)
        let renamed = try #require(
            try await route.live.request(route.put(#"{"name":"Desk","publicKey":"\#(key)"}"#, deviceID: id)))
        #expect(renamed.status == 200)
        let again = try JSONSerialization.jsonObject(with: Data(renamed.body)) as? [String: Any]
        #expect(again?["name"] as? String == "Desk")
    }

    @Test(
        "bad JSON input gets precise problem+json answers",
        arguments: [
            ("text/plain", #"{"name":"Laptop"}"#, 415, nil),
            ("application/json", #"{"name":"Laptop"}"#, 400, "/publicKey"),
            ("application/json", #"{"name":5,"publicKey":"x"}"#, 400, "/name"),
            ("application/json", #"{"name": [}"#, 400, nil),
            ("application/json", #"{"name":"","publicKey":"A"}"#, 400, "/name"),
            ("application/json", #"{"name":"Laptop","publicKey":"bm90IGEga2V5"}"#, 400, "/publicKey"),
        ] as [(String, String, Int, String?)])
    func badInput(contentType: String, body: String, status: Int, pointer: String?) async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let response = try #require(try await route.live.request(route.put(body, contentType: contentType)))
        #expect(response.status == status)
        #expect(response.header("Content-Type") == "application/problem+json")
        let problem = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(problem?["status"] as? Int == status)
        if let pointer {
            let pointers = (problem?["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
            #expect(pointers.contains(pointer), "\(pointers)")
        }
    }

    @Test("a body over the route's limit is refused with 413 before it is read")
    func bodyTooLarge() async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let limit = DeviceRoute.maxBodySize
        let atLimit = try #require(
            try await route.live.request(
                route.head("Content-Length: \(limit)\r\n") + String(repeating: " ", count: limit)))
        #expect(atLimit.status == 400)  // whitespace only: read fully, then rejected as malformed JSON
        let over = try #require(try await route.live.request(route.head("Content-Length: \(limit + 1)\r\n")))
        #expect(over.status == 413)
        #expect(over.header("Content-Type") == "application/problem+json")
    }

    @Test("a chunked body over the route's limit is refused with 413 once the limit is passed")
    func chunkedBodyTooLarge() async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let client = try route.live.client()
        let chunk = String(repeating: " ", count: 4 * 1024)
        var body = ""
        for _ in 0..<5 { body += "1000\r\n\(chunk)\r\n" }  // 20 KiB > 16 KiB
        await client.send(route.head("Transfer-Encoding: chunked\r\n") + "\(body)0\r\n\r\n")
        let response = try #require(await client.readResponses(1).first)
        #expect(response.status == 413)
        #expect(response.header("Content-Type") == "application/problem+json")
    }

    @Test("unknown routes: problem+json under /api, an HTML page elsewhere")
    func notFound() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let api = try #require(try await live.get("/api/v1/nothing"))
        #expect(api.status == 404)
        #expect(api.header("Content-Type") == "application/problem+json")
        let page = try #require(try await live.get("/nothing-here"))
        #expect(page.status == 404)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("404"))
    }

    @Test("405 lists the allowed methods; OPTIONS answers with Allow")
    func methods() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let wrong = try #require(try await live.request("DELETE /api/v1/health HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD, OPTIONS")
        let options = try #require(
            try await live.request("OPTIONS /api/v1/devices/\(DeviceRoute.newDeviceID()) HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(options.status == 204)
        #expect(options.header("Allow") == "DELETE, OPTIONS, PUT")
    }

    @Test("keep-alive and pipelining: responses come back in request order, async routes included")
    func pipelining() async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let client = try route.live.client()
        await client.send(
            "GET /api/v1/health HTTP/1.1\r\nHost: h\r\n\r\n" + route.put(DeviceRoute.body())
                + "GET /api/v1/version HTTP/1.1\r\nHost: h\r\n\r\n")
        let responses = await client.readResponses(3)
        #expect(responses.map(\.status) == [200, 201, 200])
        #expect(responses.last?.text.contains("version") == true)
        await client.send("GET /api/v1/health HTTP/1.1\r\nHost: h\r\n\r\n")
        let again = await client.readResponses(1)
        #expect(again.first?.status == 200)
    }

    @Test("Expect: 100-continue gets a 100 before the final response")
    func expectContinue() async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let client = try route.live.client()
        let body = DeviceRoute.body()
        await client.send(route.head("Expect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n"))
        let interim = await client.readResponses(1)
        #expect(interim.first?.status == 100)
        await client.send(body)
        let final = await client.readResponses(1)
        #expect(final.first?.status == 201)
    }

    @Test("a smuggling attempt is answered 400 and the connection closed")
    func smugglingLive() async throws {
        let route = try await DeviceRoute.start()
        defer { Task { await route.stop() } }
        let client = try route.live.client()
        await client.send(
            route.head("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n")
                + "0\r\n\r\nGET /api/v1/version HTTP/1.1\r\nHost: h\r\n\r\n")
        let bytes = await client.readToEnd()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 "))
        #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2)
        #expect(text.contains("application/problem+json"))
    }

    @Test("dynamic text above the threshold is compressed when accepted")
    func compression() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let plain = try #require(try await live.get("/sign-in"))
        let gzip = try #require(try await live.get("/sign-in", headers: ["Accept-Encoding": "gzip"]))
        let brotli = try #require(try await live.get("/sign-in", headers: ["Accept-Encoding": "gzip;q=0.5, br"]))
        #expect(plain.header("Content-Encoding") == nil)
        #expect(gzip.header("Content-Encoding") == "gzip")
        #expect(gzip.body.count < plain.body.count)
        #expect(Array(gzip.body.prefix(2)) == [0x1f, 0x8b])
        #expect(brotli.header("Content-Encoding") == "br")
        #expect(gzip.header("Vary") == "Accept-Encoding")
    }
}
