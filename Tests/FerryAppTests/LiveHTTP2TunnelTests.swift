import FerryHTTP
import NIOCore
import Testing

/// RFC 8441 extended CONNECT: a tunnel (a WebSocket's byte stream) on one HTTP/2 stream, while
/// the connection and its other streams go on. Frame-level, against the real engine with a
/// responder that answers with tunnels.
@Suite("Live: HTTP/2 tunnels (RFC 8441)")
struct LiveHTTP2TunnelTests {
    static let cancel: UInt32 = 0x8

    struct Running {
        let server: HTTPServer
        let port: Int
        let responder: TunnelTestResponder
    }

    static func start(configure: (inout HTTPServerConfiguration) -> Void = { _ in }) async throws -> Running {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let responder = TunnelTestResponder()
        let server = HTTPServer(configuration: configuration, responder: responder)
        let address = try await server.start()
        return Running(server: server, port: address.port ?? 0, responder: responder)
    }

    @Test("the server announces SETTINGS_ENABLE_CONNECT_PROTOCOL = 1")
    func announcesExtendedConnect() async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        let settings = await client.handshake()
        #expect(settings?.settings[0x8] == 1)
    }

    @Test(
        "a tunnel echoes bytes both ways next to ordinary streams, and closes in order",
        arguments: ["/echo", "/echo-async"])
    func echo(path: String) async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        await client.openTunnel(stream: 1, path: path)
        let (head, _) = await client.waitFor { $0.type == HTTP2TestClient.headers && $0.streamID == 1 }
        #expect(head?.status == 200)
        #expect(head?.endStream == false, "the tunnel stays open after its head")

        await client.send("hello", stream: 1)
        #expect(await client.readData(stream: 1, count: 5).text == "hello")
        // Another stream on the same connection while the tunnel is open.
        await client.get(stream: 3, path: "/plain")
        let (plain, _) = await client.readData(stream: 3, count: 5)
        #expect(plain == "plain")
        await client.send("world", stream: 1)
        #expect(await client.readData(stream: 1, count: 5).text == "world")

        // The client ends its side; the echo loop ends, and so does the server's side.
        await client.send("!", stream: 1, end: true)
        let (last, seen) = await client.waitFor {
            $0.streamID == 1 && ($0.endStream || $0.type == HTTP2TestClient.rstStream)
        }
        #expect(last?.type == HTTP2TestClient.data && last?.endStream == true, "\(seen)")
        #expect(seen.filter { $0.type == HTTP2TestClient.data }.flatMap(\.payload) == Array("!".utf8))
        #expect(running.responder.endings.value == "end")
    }

    @Test("a tunnel carries 512 KiB each way under flow control")
    func largeEcho() async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        await client.openTunnel(stream: 1, path: "/echo")
        // 512 KiB: within the server's 1 MiB stream window, but eight times the client's, so
        // the echo waits for the client's WINDOW_UPDATEs again and again.
        let bytes = (0..<512 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        await client.send(bytes: bytes, stream: 1)
        let (echoed, seen) = await client.readBytes(stream: 1, count: bytes.count, timeout: .seconds(30))
        #expect(echoed == bytes)
        #expect(!seen.contains { $0.type == HTTP2TestClient.rstStream || $0.type == HTTP2TestClient.goAway })
    }

    @Test("the client resetting a tunnel fails its owner's read; the connection goes on")
    func clientResets() async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        await client.openTunnel(stream: 1, path: "/echo")
        _ = await client.waitFor { $0.type == HTTP2TestClient.headers && $0.streamID == 1 }
        await client.send(
            type: HTTP2TestClient.rstStream, stream: 1, payload: HTTP2TestClient.integerBytes(Self.cancel))
        await client.get(stream: 3, path: "/plain")
        let (plain, seen) = await client.readData(stream: 3, count: 5)
        #expect(plain == "plain")
        #expect(!seen.contains { $0.type == HTTP2TestClient.rstStream || $0.type == HTTP2TestClient.goAway })
        var waited = 0
        while running.responder.endings.value.isEmpty && waited < 100 {
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 1
        }
        #expect(running.responder.endings.value.contains("HTTP2StreamResetError(code: 8)"))
    }

    @Test("the server ending its side first sends END_STREAM, and the client's END_STREAM closes the stream cleanly")
    func serverEndsFirst() async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        await client.openTunnel(stream: 1, path: "/bye")
        let (end, seen) = await client.waitFor { $0.streamID == 1 && ($0.endStream && $0.type == HTTP2TestClient.data) }
        #expect(end != nil, "\(seen)")
        #expect(seen.filter { $0.type == HTTP2TestClient.data }.flatMap(\.payload) == Array("bye".utf8))
        // Late bytes are discarded; the client's END_STREAM completes the orderly close.
        await client.send("late", stream: 1, end: true)
        await client.get(stream: 3, path: "/plain")
        let (plain, after) = await client.readData(stream: 3, count: 5)
        #expect(plain == "plain")
        #expect(
            !after.contains { $0.type == HTTP2TestClient.rstStream || $0.type == HTTP2TestClient.goAway }, "\(after)")
    }

    @Test("a tunnel whose owner fails is reset with CANCEL; the connection goes on")
    func ownerFails() async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        await client.openTunnel(stream: 1, path: "/throw")
        let (reset, seen) = await client.waitFor {
            $0.type == HTTP2TestClient.rstStream || $0.type == HTTP2TestClient.goAway
        }
        #expect(reset?.type == HTTP2TestClient.rstStream && reset?.streamID == 1, "\(seen)")
        #expect(reset?.errorCode == Self.cancel)
        await client.get(stream: 3, path: "/plain")
        #expect(await client.readData(stream: 3, count: 5).text == "plain")
    }

    @Test(
        "a tunnel answer to anything but an extended CONNECT with a 2xx is a 500",
        arguments: ["/tunnel-404", "/tunnel-get"])
    func misuseIsAServerError(path: String) async throws {
        let running = try await Self.start()
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        if path == "/tunnel-get" {
            await client.get(stream: 1, path: path)
        } else {
            await client.openTunnel(stream: 1, path: path)
        }
        let (head, seen) = await client.waitFor { $0.type == HTTP2TestClient.headers && $0.streamID == 1 }
        #expect(head?.status == 500, "\(seen)")
    }

    @Test("a quiet tunnel outlives the body-read, write and idle timeouts; the tunnel idle timeout resets only it")
    func tunnelIdleTimeout() async throws {
        let running = try await Self.start { configuration in
            configuration.keepAliveIdleTimeout = .milliseconds(100)
            configuration.bodyReadTimeout = .milliseconds(100)
            configuration.responseWriteTimeout = .milliseconds(100)
            configuration.tunnelIdleTimeout = .seconds(2)
        }
        defer { Task { await running.server.shutdownGracefully() } }
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake(tunnelPath: "/silent")
        let (head, _) = await client.waitFor { $0.type == HTTP2TestClient.headers && $0.streamID == 1 }
        #expect(head?.status == 200)

        // Nothing moves for several of the other timeouts; then the tunnel still carries bytes.
        let (early, quiet) = await client.waitFor(timeout: .milliseconds(500)) {
            $0.streamID == 1 || $0.type == HTTP2TestClient.goAway
        }
        #expect(early == nil, "\(quiet)")
        await client.send("still here", stream: 1)
        var waited = 0
        while running.responder.received.value < 10 && waited < 100 {
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 1
        }
        #expect(running.responder.received.value == 10)

        // A second tunnel, kept busy, until the quiet one is reset.
        await client.openTunnel(stream: 3, path: "/echo")
        var reset: HTTP2TestClient.Frame?
        var unexpected: [HTTP2TestClient.Frame] = []
        for round in 0..<100 where reset == nil {
            await client.send("b\(round % 10)", stream: 3)
            let (echo, seen) = await client.readData(stream: 3, count: 2, timeout: .seconds(5))
            #expect(echo == "b\(round % 10)")
            reset = seen.first { $0.type == HTTP2TestClient.rstStream && $0.streamID == 1 }
            unexpected += seen.filter {
                $0.type == HTTP2TestClient.goAway || ($0.type == HTTP2TestClient.rstStream && $0.streamID != 1)
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(reset?.errorCode == Self.cancel)
        #expect(unexpected.isEmpty, "\(unexpected)")
        #expect(running.responder.endings.value.contains("HTTP2StreamResetError"), "\(running.responder.endings.value)")
        await client.send("after", stream: 3)
        #expect(await client.readData(stream: 3, count: 5).text == "after")
    }

    @Test("a graceful shutdown lets an open tunnel finish: it is an in-flight stream")
    func shutdownDrainsTunnels() async throws {
        let running = try await Self.start()
        let client = try HTTP2TestClient(port: running.port)
        _ = await client.handshake()
        await client.openTunnel(stream: 1, path: "/echo")
        _ = await client.waitFor { $0.type == HTTP2TestClient.headers && $0.streamID == 1 }
        let stopped = Task { await running.server.shutdownGracefully() }
        let (goAway, _) = await client.waitFor { $0.type == HTTP2TestClient.goAway }
        #expect(goAway?.errorCode == 0)
        await client.send("draining", stream: 1)
        #expect(await client.readData(stream: 1, count: 8).text == "draining")
        await client.send("", stream: 1, end: true)
        let (end, seen) = await client.waitFor {
            $0.streamID == 1 && ($0.endStream || $0.type == HTTP2TestClient.rstStream)
        }
        #expect(end?.type == HTTP2TestClient.data, "\(seen)")
        await stopped.value
    }
}
