import NIOCore
import NIOWebSocket
import Testing

@testable import FerryWeb

/// The writer's queue: frames in order, in batches bounded by bytes, and what was queued before
/// the end is still handed out.
@Suite("WebSocket outbox")
struct WebSocketOutboxTests {
    static func item(_ size: Int) -> WebSocket.Outbound {
        WebSocket.Outbound(
            frame: WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(repeating: 1, count: size)), count: size)
    }

    @Test("everything queued comes in one batch, in order, within the byte budget")
    func batches() async throws {
        let outbox = WebSocketOutbox()
        for size in [10, 20, 30, 40] { outbox.push(Self.item(size)) }
        let first = try #require(await outbox.next(maxBytes: 60))
        #expect(first.map(\.count) == [10, 20, 30])
        let second = try #require(await outbox.next(maxBytes: 60))
        #expect(second.map(\.count) == [40])
    }

    @Test("a frame larger than the budget still comes, alone")
    func largeFrame() async throws {
        let outbox = WebSocketOutbox()
        outbox.push(Self.item(100))
        outbox.push(Self.item(1))
        #expect(await outbox.next(maxBytes: 50)?.map(\.count) == [100])
        #expect(await outbox.next(maxBytes: 50)?.map(\.count) == [1])
    }

    @Test("a waiting writer wakes for a frame; after the end the queue drains, then nil")
    func waitsAndFinishes() async throws {
        let outbox = WebSocketOutbox()
        let writer = Task { await outbox.next(maxBytes: 1000)?.map(\.count) }
        try await Task.sleep(for: .milliseconds(20))
        outbox.push(Self.item(5))
        #expect(await writer.value == [5])
        outbox.push(Self.item(6))
        outbox.finish()
        outbox.push(Self.item(7))  // after the end: ignored
        #expect(await outbox.next(maxBytes: 1000)?.map(\.count) == [6])
        #expect(await outbox.next(maxBytes: 1000) == nil)
    }
}
