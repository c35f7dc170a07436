import NIOCore
import Testing

@testable import FerryWeb

/// RFC 6455 sessions over an in-memory tunnel: messages, control frames, every rule a client can
/// break and the close code it earns, liveness and slow consumers.
@Suite("WebSocket sessions")
struct WebSocketSessionTests {
    static let quick = WebSocketConfiguration(
        maxFrameSize: 1024, maxTextMessageSize: 512, maxBinaryMessageSize: 1024, maxFragments: 8,
        maxQueuedOutboundBytes: 4096, pingInterval: .seconds(30), pongTimeout: .seconds(30),
        closeTimeout: .milliseconds(300), maxPingsPerInterval: 5)

    /// Starts a session with an echo handler; returns when it ended or the test is done with it.
    private func start(
        _ configuration: WebSocketConfiguration = quick, stalled: Bool = false, holdingWrites: Bool = false
    ) -> (MemoryTunnel, EchoHandler, Task<Void, Never>) {
        let memory = MemoryTunnel(stalled: stalled, holdingWrites: holdingWrites)
        let handler = EchoHandler()
        let socket = WebSocket(subprotocol: nil, configuration: configuration)
        let task = Task { await WebSocketSession.run(tunnel: memory.tunnel, socket: socket, handler: handler) }
        return (memory, handler, task)
    }

    @Test("text and binary messages are echoed in unmasked frames; a close is answered with its code")
    func echo() async throws {
        let (memory, handler, task) = start()
        memory.send(ClientFrame.text("héllo"))
        memory.send(ClientFrame.make(opcode: 0x2, payload: [0, 1, 2, 255]))
        try #require(await eventually { memory.frames.count == 2 })
        #expect(memory.frames[0] == ServerFrame(fin: true, opcode: 0x1, payload: Array("héllo".utf8), masked: false))
        #expect(memory.frames[1] == ServerFrame(fin: true, opcode: 0x2, payload: [0, 1, 2, 255], masked: false))
        memory.send(ClientFrame.close(1000, reason: Array("bye".utf8)))
        await task.value
        #expect(memory.frames.last?.closeCode == 1000)
        #expect(handler.closedCode.withLock { $0 } == .some(.normal))
    }

    @Test("fragments are reassembled; a ping between them is answered with a pong first")
    func fragmentsAndInterleavedPing() async throws {
        let (memory, handler, task) = start()
        memory.send(ClientFrame.text("frag", fin: false))
        memory.send(ClientFrame.make(opcode: 0x9, payload: [7, 7]))
        memory.send(ClientFrame.make(opcode: 0x0, payload: Array("ment".utf8), fin: false))
        memory.send(ClientFrame.make(opcode: 0x0, payload: Array("ed".utf8)))
        try #require(await eventually { memory.frames.count == 2 })
        #expect(memory.frames[0] == ServerFrame(fin: true, opcode: 0xA, payload: [7, 7], masked: false))
        #expect(memory.frames[1].payload == Array("fragmented".utf8))
        #expect(handler.received.withLock { $0 } == [.text("fragmented")])
        memory.send(ClientFrame.close(1000))
        await task.value
    }

    @Test(
        "a broken rule closes with its code, and the message is not delivered",
        arguments: [
            ("unmasked frame", ClientFrame.make(opcode: 0x1, payload: Array("hi".utf8), masked: false), UInt16(1002)),
            ("reserved bit", ClientFrame.make(opcode: 0x1, payload: Array("hi".utf8), rsv: 0x40), 1002),
            ("unknown data opcode", ClientFrame.make(opcode: 0x3, payload: [1]), 1002),
            ("unknown control opcode", ClientFrame.make(opcode: 0xB, payload: [1]), 1002),
            ("fragmented ping", ClientFrame.make(opcode: 0x9, payload: [1], fin: false), 1002),
            (
                "control frame over 125 bytes", ClientFrame.make(opcode: 0x9, payload: Array(repeating: 1, count: 126)),
                1002
            ),
            ("continuation without a message", ClientFrame.make(opcode: 0x0, payload: [1]), 1002),
            ("new message inside a fragmented one", ClientFrame.text("a", fin: false) + ClientFrame.text("b"), 1002),
            ("invalid UTF-8", ClientFrame.make(opcode: 0x1, payload: [0x68, 0xC3, 0x28]), 1007),
            ("text over the message limit", ClientFrame.text(String(repeating: "x", count: 513)), 1009),
            (
                "frame over the frame limit", ClientFrame.make(opcode: 0x2, payload: Array(repeating: 0, count: 1025)),
                1009
            ),
            (
                "fragments over the message limit",
                ClientFrame.make(opcode: 0x2, payload: Array(repeating: 0, count: 800), fin: false)
                    + ClientFrame.make(opcode: 0x0, payload: Array(repeating: 0, count: 800)), 1009
            ),
            (
                "too many fragments",
                ClientFrame.text("a", fin: false)
                    + (0..<9).flatMap { _ in ClientFrame.make(opcode: 0x0, payload: [0x61], fin: false) }, 1008
            ),
        ] as [(String, [UInt8], UInt16)])
    func violation(name: String, bytes: [UInt8], code: UInt16) async throws {
        let (memory, handler, task) = start()
        memory.send(bytes)
        #expect(await eventually { memory.frames.contains { $0.opcode == 0x8 } }, "\(name)")
        #expect(memory.frames.first { $0.opcode == 0x8 }?.closeCode == code, "\(name)")
        #expect(handler.received.withLock { $0 } == [], "\(name)")
        memory.send(ClientFrame.close(code))
        await task.value
        #expect(handler.closedCode.withLock { $0 } == .some(WebSocketCloseCode(rawValue: code)), "\(name)")
    }

    @Test(
        "a client's close frame is checked before it is answered",
        arguments: [
            ([UInt8](), UInt16(1000)),  // no code: answered with 1000
            ([0x03], 1002),  // one byte cannot hold a code
            ([0x03, 0xED], 1002),  // 1005 is reserved and never sent
            ([0x03, 0xEE], 1002),  // 1006 likewise
            ([0x03, 0xE8, 0xC3, 0x28], 1007),  // 1000 with a reason that is not UTF-8
            ([0x0F, 0xA0], 4000),  // a private code is echoed
        ] as [([UInt8], UInt16)])
    func closeFrames(payload: [UInt8], answer: UInt16) async throws {
        let (memory, _, task) = start()
        memory.send(ClientFrame.make(opcode: 0x8, payload: payload))
        await task.value
        #expect(memory.frames.last?.closeCode == answer)
        #expect(!memory.aborted)
    }

    @Test("a server close waits for the client's answer, and drops a client that never answers")
    func serverClose() async throws {
        let (memory, handler, task) = start()
        #expect(await eventually { handler.socket.withLock { $0 } != nil })
        let socket = try #require(handler.socket.withLock { $0 })
        socket.close(.goingAway, reason: "shutting down")
        #expect(await eventually { memory.frames.last?.closeCode == 1001 })
        #expect(socket.send("late") == false)
        await task.value  // no answer: dropped after the close timeout
        #expect(memory.aborted)

        let (answered, answeredHandler, answeredTask) = start()
        #expect(await eventually { answeredHandler.socket.withLock { $0 } != nil })
        answeredHandler.socket.withLock { $0 }?.close(.goingAway)
        #expect(await eventually { answered.frames.last?.closeCode == 1001 })
        answered.send(ClientFrame.close(1001))
        await answeredTask.value
        #expect(!answered.aborted)
        #expect(answeredHandler.closedCode.withLock { $0 } == .some(.goingAway))
    }

    @Test("frames before a broken one in the same read are still handled, then the close goes out")
    func framesBeforeAViolation() async throws {
        let (memory, handler, task) = start()
        memory.send(
            ClientFrame.text("first") + ClientFrame.make(opcode: 0x9, payload: [1])
                + ClientFrame.make(opcode: 0x1, payload: Array("x".utf8), masked: false))
        await task.value
        #expect(handler.received.withLock { $0 } == [.text("first")])
        #expect(memory.frames.map(\.opcode) == [0x1, 0xA, 0x8])
        #expect(memory.frames.last?.closeCode == 1002)
    }

    @Test("a ping flood closes with 1008")
    func pingFlood() async throws {
        let (memory, _, task) = start()
        for _ in 0..<6 { memory.send(ClientFrame.make(opcode: 0x9, payload: [])) }
        #expect(await eventually { memory.frames.contains { $0.closeCode == 1008 } })
        #expect(memory.frames.filter { $0.opcode == 0xA }.count == 5)
        memory.send(ClientFrame.close(1008))
        await task.value
    }

    @Test("messages queued while a write is under way leave together in the next write, in order")
    func queuedMessagesLeaveInOneWrite() async throws {
        let (memory, handler, task) = start(holdingWrites: true)
        #expect(await eventually { handler.socket.withLock { $0 } != nil })
        let socket = try #require(handler.socket.withLock { $0 })
        socket.send("m0")
        try #require(await eventually { memory.writes == 1 })
        for number in 1..<100 { socket.send("m\(number)") }
        memory.releaseWrites()
        try #require(await eventually { memory.frames.count == 100 })
        #expect(memory.frames.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<100).map { "m\($0)" })
        #expect(memory.writes == 2)
        #expect(await eventually { socket.queuedBytes == 0 })
        memory.send(ClientFrame.close(1000))
        await task.value
    }

    @Test("a client that does not read is dropped once its queue passes the limit")
    func slowConsumer() async throws {
        let (memory, handler, task) = start(stalled: true)
        #expect(await eventually { handler.socket.withLock { $0 } != nil })
        let socket = try #require(handler.socket.withLock { $0 })
        var accepted = 0
        while socket.send(String(repeating: "x", count: 1000)) { accepted += 1 }
        #expect(accepted == 4)  // 4 × 1000 bytes fit the 4096-byte queue, the fifth does not
        await task.value
        #expect(memory.aborted)
        #expect(handler.closedCode.withLock { $0 } == .some(.policyViolation))
    }

    @Test("the server pings, and drops a client whose pong does not come")
    func pongTimeout() async throws {
        var configuration = Self.quick
        configuration.pingInterval = .milliseconds(50)
        configuration.pongTimeout = .milliseconds(100)
        let (memory, handler, task) = start(configuration)
        #expect(await eventually { memory.frames.contains { $0.opcode == 0x9 } })
        await task.value
        #expect(memory.aborted)
        #expect(handler.closedCode.withLock { $0 } == .some(nil))
    }

    @Test("a client that answers pings stays")
    func pongsKeepAlive() async throws {
        var configuration = Self.quick
        // Pings every 50 ms, each to be answered within 1 s; answering 30 of them takes 1.5 s, longer
        // than the timeout, so the session stays only because the pongs count. The timeout is
        // generous because a loaded machine may take a while to schedule the answers.
        configuration.pingInterval = .milliseconds(50)
        configuration.pongTimeout = .seconds(1)
        let (memory, handler, task) = start(configuration)
        let deadline = ContinuousClock.now + .seconds(30)
        var answered = 0
        while answered < 30, !handler.hasClosed, ContinuousClock.now < deadline {
            if memory.frames.filter({ $0.opcode == 0x9 }).count > answered {
                memory.send(ClientFrame.make(opcode: 0xA, payload: Array("ferry".utf8)))
                answered += 1
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(answered == 30)
        #expect(!handler.hasClosed)
        memory.send(ClientFrame.close(1000))
        await task.value
        #expect(!memory.aborted)
    }

    @Test("the end of the client's bytes ends the session without a close code")
    func transportEnds() async throws {
        let (memory, handler, task) = start()
        memory.send(ClientFrame.text("a"))
        memory.endInput()
        await task.value
        #expect(handler.received.withLock { $0 } == [.text("a")])
        #expect(handler.closedCode.withLock { $0 } == .some(nil))
    }
}
