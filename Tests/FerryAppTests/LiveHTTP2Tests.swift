import FerryHTTP
import FerryWeb
import Foundation
import NIOCore
import Testing

/// HTTP/2 on the real engine, with curl as the client: the same routes as HTTP/1.1, huge bodies
/// both ways with flat memory, streamed responses, and the idle-timeout GOAWAY.
@Suite("Live: HTTP/2")
struct LiveHTTP2Tests {
    /// 2 GiB each way in CI (the size); FERRY_H2_TEST_MIB changes it by hand.
    static let transferMiB = ProcessInfo.processInfo.environment["FERRY_H2_TEST_MIB"].flatMap { Int($0) } ?? 2048

    static func transferServer(received: SharedCount) async throws -> TestWebServer {
        try await TestWebServer.start { router in
            router.routes.post("/sink", maxBodySize: .max) { request in
                var total = 0
                for try await chunk in request.body { total += chunk.readableBytes }
                received.store(total)
                return .text("\(total)")
            }
            router.routes.get("/source/:mebibytes") { request in
                let mebibytes = Int(request.parameters["mebibytes"] ?? "") ?? 0
                return .stream(contentType: "application/octet-stream") { writer in
                    let block = ByteBuffer(repeating: 0x62, count: 1024 * 1024)
                    for _ in 0..<mebibytes { try await writer.write(block) }
                }
            }
            router.routes.get("/events") { _ in
                .stream(contentType: "text/event-stream") { writer in
                    for index in 1...3 {
                        try await writer.write(ByteBuffer(string: "id: \(index)\ndata: tick \(index)\n\n"))
                        try await Task.sleep(nanoseconds: 50_000_000)
                    }
                }
            }
        }
    }

    @Test("a 2 GiB upload over h2c streams to the handler with flat memory")
    func hugeUpload() async throws {
        let received = SharedCount()
        let server = try await Self.transferServer(received: received)
        defer { Task { await server.stop() } }
        let size = Self.transferMiB * 1024 * 1024
        let before = ProcessMemory.residentBytes()
        let peak = SharedCount(before)
        let result = await CurlClient.run(
            ["--http2-prior-knowledge", "-T", "-", "-X", "POST", "http://127.0.0.1:\(server.port)/sink"],
            feed: (bytes: size, block: 1024 * 1024),
            sample: { peak.raise(to: ProcessMemory.residentBytes()) })
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.text == "\(size)")
        #expect(received.value == size)
        let growth = peak.value - before
        #expect(growth < 96 * 1024 * 1024, "grew by \(growth / 1024 / 1024) MiB")
    }

    @Test("a 2 GiB streamed download over h2c keeps memory flat")
    func hugeDownload() async throws {
        let server = try await Self.transferServer(received: SharedCount())
        defer { Task { await server.stop() } }
        let before = ProcessMemory.residentBytes()
        let peak = SharedCount(before)
        let sampler = Task {
            while !Task.isCancelled {
                peak.raise(to: ProcessMemory.residentBytes())
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        let result = await CurlClient.run([
            "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{size_download}",
            "http://127.0.0.1:\(server.port)/source/\(Self.transferMiB)",
        ])
        sampler.cancel()
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.text == "2 \(Self.transferMiB * 1024 * 1024)")
        let growth = peak.value - before
        #expect(growth < 96 * 1024 * 1024, "grew by \(growth / 1024 / 1024) MiB")
    }

    @Test("server-sent events arrive over HTTP/2 as they are written")
    func serverSentEvents() async throws {
        let server = try await Self.transferServer(received: SharedCount())
        defer { Task { await server.stop() } }
        let result = await CurlClient.run([
            "--http2-prior-knowledge", "-N", "-D", "-", "http://127.0.0.1:\(server.port)/events",
        ])
        #expect(result.status == 0)
        #expect(result.text.hasPrefix("HTTP/2 200"))
        #expect(result.text.contains("content-type: text/event-stream"))
        #expect(!result.text.lowercased().contains("transfer-encoding"))
        #expect(result.text.hasSuffix("id: 1\ndata: tick 1\n\nid: 2\ndata: tick 2\n\nid: 3\ndata: tick 3\n\n"))
    }

    @Test("an idle HTTP/2 connection gets GOAWAY (NO_ERROR) and is closed")
    func idleGoAway() async throws {
        let server = try await TestWebServer.start(configure: { $0.keepAliveIdleTimeout = .milliseconds(300) }) { _ in }
        defer { Task { await server.stop() } }
        let client = try server.client()
        var opening = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        opening += [0, 0, 0, 4, 0, 0, 0, 0, 0]  // empty SETTINGS
        await client.send(opening)
        let frames = HTTP2FrameScan.frames(in: await client.readToEnd())
        let goAway = frames.first { $0.type == 7 }
        #expect(goAway != nil, "frames: \(frames.map(\.type))")
        #expect(goAway.map { Array($0.payload.suffix(4)) } == [0, 0, 0, 0])
    }
}

extension LiveHTTP2Tests {
    @Test("a client that grants no flow-control window is disconnected after the response-write timeout")
    func responseWriteTimeout() async throws {
        let server = try await TestWebServer.start(configure: { $0.responseWriteTimeout = .milliseconds(300) }) {
            router in
            router.routes.onInline(.get, "/big") { _ in
                Response(status: .ok, body: .buffer(ByteBuffer(repeating: 0x61, count: 256 * 1024)))
            }
        }
        defer { Task { await server.stop() } }
        let client = try server.client()
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        // SETTINGS_INITIAL_WINDOW_SIZE = 0: the server may send the head but no body bytes.
        bytes += HTTP2FrameScan.frame(type: 4, flags: 0, stream: 0, payload: [0, 4, 0, 0, 0, 0])
        let block = HTTP2FrameScan.literalHeaders([
            (":method", "GET"), (":scheme", "http"), (":authority", "h"), (":path", "/big"),
        ])
        bytes += HTTP2FrameScan.frame(type: 1, flags: 0x5, stream: 1, payload: block)  // END_STREAM|END_HEADERS
        await client.send(bytes)
        let start = ContinuousClock.now
        let frames = HTTP2FrameScan.frames(in: await client.readToEnd())
        let waited = ContinuousClock.now - start
        // Closed by the server (not by the client's 10 s read timeout); exact timing is not asserted.
        #expect(waited < .seconds(8), "closed after \(waited)")
        #expect(frames.contains { $0.type == 1 && $0.streamID == 1 }, "the head was sent")
        #expect(!frames.contains { $0.type == 0 && $0.streamID == 1 }, "no body without window")
        #expect(frames.last?.type == 7, "ends with GOAWAY")
    }

    @Test("a stream whose body stops arriving fails the handler's read with 408 after the body-read timeout")
    func bodyReadTimeout() async throws {
        let failure = SharedText()
        let server = try await TestWebServer.start(configure: { $0.bodyReadTimeout = .milliseconds(300) }) { router in
            router.routes.post("/sink", maxBodySize: .max) { request in
                do {
                    for try await _ in request.body {}
                } catch {
                    failure.set("\(error)")
                    throw error
                }
                return .text("complete")
            }
        }
        defer { Task { await server.stop() } }
        let client = try server.client()
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        bytes += HTTP2FrameScan.frame(type: 4, flags: 0, stream: 0, payload: [])  // SETTINGS
        let block = HTTP2FrameScan.literalHeaders([
            (":method", "POST"), (":scheme", "http"), (":authority", "h"), (":path", "/sink"),
        ])
        bytes += HTTP2FrameScan.frame(type: 1, flags: 0x4, stream: 1, payload: block)  // HEADERS, END_HEADERS
        bytes += HTTP2FrameScan.frame(type: 0, flags: 0, stream: 1, payload: Array("part".utf8))  // then silence
        await client.send(bytes)
        let start = ContinuousClock.now
        while failure.value.isEmpty && ContinuousClock.now - start < .seconds(5) {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(failure.value == "readTimeout")
    }
}
