import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import FerryHTTP

/// The HTTP/1.1 side of a tunnel (`101 Switching Protocols`, then raw bytes), on a
/// NIOAsyncTestingChannel, byte-exact.
@Suite("HTTP/1.1 tunnel (Upgrade → 101 → raw bytes)")
struct HTTP1TunnelTests {
    static let upgradeRequest =
        "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
    static let switchingHead =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

    struct Harness {
        let channel: NIOAsyncTestingChannel
        let counter: ReadCounter

        /// Reads outbound bytes until `count` bytes arrived (or fails after a while).
        func output(_ count: Int) async throws -> String {
            var text = ""
            try await eventually {
                while let data = try await channel.readOutbound(as: IOData.self) {
                    if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
                }
                return text.utf8.count >= count
            }
            return text
        }

        func send(_ text: String) async throws {
            try await channel.writeInbound(ByteBuffer(string: text))
        }

        func waitForClose() async throws {
            try await eventually { !channel.isActive }
        }

        var hasHTTP1Handler: Bool {
            get async throws {
                try await channel.testingEventLoop.submit {
                    (try? channel.pipeline.syncOperations.handler(type: HTTP1ConnectionHandler.self)) != nil
                }.get()
            }
        }
    }

    func makeHarness(
        _ responder: some HTTPResponder, configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) async throws -> Harness {
        var configuration = HTTPServerConfiguration()
        // The testing event loop runs what it queues for itself only when driven, so the tunnel's
        // owner stays on the global executor here.
        configuration.tunnelOwnerOnEventLoop = false
        configure(&configuration)
        let counter = ReadCounter()
        let frozen = configuration
        let channel = try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(
                HTTP1ConnectionHandler(responder: responder, configuration: frozen))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).get()
        return Harness(channel: channel, counter: counter)
    }

    @Test("101 head byte-exact; bytes sent with the request head reach the tunnel; echo both ways")
    func echo() async throws {
        let harness = try await makeHarness(TunnelResponder(run: TunnelResponder.echo))
        try await harness.send(Self.upgradeRequest + "hello")
        let text = try await harness.output(Self.switchingHead.utf8.count + 5)
        #expect(text == Self.switchingHead + "hello")
        #expect(try await !harness.hasHTTP1Handler)
        // Not HTTP any more: a request line is just bytes, echoed without chunk framing.
        try await harness.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try await harness.output(18) == "GET / HTTP/1.1\r\n\r\n")
        #expect(harness.channel.isActive)
    }

    @Test("an async handler's tunnel opens the same way, and Connection: Upgrade is added when missing")
    func asyncAndConnectionField() async throws {
        let harness = try await makeHarness(
            TunnelResponder(isAsync: true, fields: [.upgrade: "websocket"], run: TunnelResponder.echo))
        try await harness.send(Self.upgradeRequest)
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        #expect(try await harness.output(head.utf8.count) == head)
        try await harness.send("ping")
        #expect(try await harness.output(4) == "ping")
    }

    @Test("the client's EOF ends the inbound sequence; the owner's return flushes and closes")
    func clientEOF() async throws {
        let harness = try await makeHarness(TunnelResponder(run: TunnelResponder.echo))
        try await harness.send(Self.upgradeRequest + "x")
        _ = try await harness.output(Self.switchingHead.utf8.count + 1)
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try await harness.output(3) == "bye")
        try await harness.waitForClose()
    }

    @Test("backpressure: reads stop while the owner is behind and resume when it reads")
    func backpressure() async throws {
        let gate = AsyncGate()
        let received = NIOLockedValueBox(0)
        let responder = TunnelResponder { tunnel in
            await gate.wait()
            for try await chunk in tunnel.inbound {
                received.withLockedValue { $0 += chunk.readableBytes }
            }
        }
        let harness = try await makeHarness(responder) { $0.requestBodyHighWatermark = 16 }
        try await harness.send(Self.upgradeRequest)
        _ = try await harness.output(Self.switchingHead.utf8.count)
        try await harness.send(String(repeating: "a", count: 32))  // over the high watermark
        let before = harness.counter.reads.withLockedValue { $0 }
        harness.channel.read()
        await harness.channel.testingEventLoop.run()
        #expect(harness.counter.reads.withLockedValue { $0 } == before)  // held
        await gate.open()
        try await eventually { received.withLockedValue { $0 } == 32 }
        try await eventually { harness.counter.reads.withLockedValue { $0 } > before }  // the held read goes out
    }

    @Test("abort closes at once and fails the owner's pending read and later writes")
    func abort() async throws {
        let outcome = NIOLockedValueBox<String>("")
        let responder = TunnelResponder { tunnel in
            tunnel.close()
            var result = ""
            do {
                for try await _ in tunnel.inbound {}
                result = "ended"
            } catch {
                result = "read failed"
            }
            do {
                try await tunnel.outbound.write(ByteBuffer(string: "late"))
                result += ", wrote"
            } catch {
                result += ", write failed"
            }
            outcome.withLockedValue { [result] in $0 = result }
        }
        let harness = try await makeHarness(responder)
        try await harness.send(Self.upgradeRequest)
        _ = try await harness.output(Self.switchingHead.utf8.count)
        try await harness.waitForClose()
        try await eventually { !outcome.withLockedValue { $0 }.isEmpty }
        #expect(outcome.withLockedValue { $0 } == "read failed, write failed")
    }

    @Test("a tunnel with no byte either way for tunnelIdleTimeout is closed")
    func idleTimeout() async throws {
        let harness = try await makeHarness(TunnelResponder(run: TunnelResponder.echo)) {
            $0.tunnelIdleTimeout = .milliseconds(100)
        }
        try await harness.send(Self.upgradeRequest)
        _ = try await harness.output(Self.switchingHead.utf8.count)
        try await Task.sleep(for: .milliseconds(150))
        await harness.channel.testingEventLoop.advanceTime(to: .now())
        try await harness.waitForClose()
    }

    @Test("no HTTP timeout and no shutdown ends a quiet tunnel")
    func quietTunnelSurvives() async throws {
        let harness = try await makeHarness(TunnelResponder(run: TunnelResponder.echo)) {
            $0.headerReadTimeout = .milliseconds(20)
            $0.bodyReadTimeout = .milliseconds(20)
            $0.keepAliveIdleTimeout = .milliseconds(20)
            $0.responseWriteTimeout = .milliseconds(20)
            $0.tunnelIdleTimeout = .seconds(3600)
        }
        try await harness.send(Self.upgradeRequest)
        _ = try await harness.output(Self.switchingHead.utf8.count)
        harness.channel.pipeline.fireUserInboundEventTriggered(HTTPServerShutdownEvent())
        try await Task.sleep(for: .milliseconds(100))
        await harness.channel.testingEventLoop.advanceTime(to: .now())
        #expect(harness.channel.isActive)
        try await harness.send("still here")
        #expect(try await harness.output(10) == "still here")
    }

    @Test("a tunnel answer to a request without Upgrade is a 500, and the connection stays HTTP")
    func withoutUpgrade() async throws {
        let harness = try await makeHarness(TunnelResponder(run: TunnelResponder.echo))
        try await harness.send("GET /ws HTTP/1.1\r\nHost: h\r\n\r\n")
        let text = try await harness.output(1)
        #expect(text.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
        #expect(try await harness.hasHTTP1Handler)
        #expect(harness.channel.isActive)
    }

    @Test("a tunnel answer to an Upgrade request with a body, or over HTTP/1.0, is a 500")
    func withBodyOrHTTP10() async throws {
        let harness = try await makeHarness(TunnelResponder(isAsync: true, run: TunnelResponder.echo))
        try await harness.send(
            "POST /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 3\r\n\r\nabc")
        #expect(try await harness.output(1).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))

        let old = try await makeHarness(TunnelResponder(run: TunnelResponder.echo))
        try await old.send("GET /ws HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        #expect(try await old.output(1).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }
}
