import NIOCore
import NIOWebSocket
import Synchronization
import Testing

@testable import FerryWeb

/// The socket's queue: at most one write in flight, frames in order, in batches bounded by bytes,
/// the writer role handed to whoever finds the queue idle, and what was queued before the end
/// still handed out.
@Suite("WebSocket outbox")
struct WebSocketOutboxTests {
    static func item(_ size: Int) -> WebSocket.Outbound {
        WebSocket.Outbound(
            frame: WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(repeating: 1, count: size)), count: size)
    }

    @Test("nothing is written before the start; then what was queued comes in one batch")
    func startsWhenAttached() {
        let outbox = WebSocketOutbox(maxBatchBytes: 1000)
        #expect(outbox.push(Self.item(10)) == nil)
        #expect(outbox.push(Self.item(20)) == nil)
        #expect(outbox.start()?.map(\.count) == [10, 20])
        #expect(outbox.written() == nil)
    }

    @Test("a frame that finds the queue idle is the caller's to write; later ones follow in batches")
    func writerRole() {
        let outbox = WebSocketOutbox(maxBatchBytes: 60)
        #expect(outbox.start() == nil)
        #expect(outbox.push(Self.item(5))?.map(\.count) == [5])
        // A write is in flight: these wait for its completion.
        for size in [10, 20, 30, 40] { #expect(outbox.push(Self.item(size)) == nil) }
        #expect(outbox.written()?.map(\.count) == [10, 20, 30])
        #expect(outbox.written()?.map(\.count) == [40])
        #expect(outbox.written() == nil)
        // Idle again: the next frame goes out at once.
        #expect(outbox.push(Self.item(7))?.map(\.count) == [7])
    }

    @Test("a frame larger than the budget still comes, alone")
    func largeFrame() {
        let outbox = WebSocketOutbox(maxBatchBytes: 50)
        _ = outbox.push(Self.item(100))
        _ = outbox.push(Self.item(1))
        #expect(outbox.start()?.map(\.count) == [100])
        #expect(outbox.written()?.map(\.count) == [1])
    }

    @Test("after the end what is queued is still written, later frames are ignored, then it is drained")
    func finishDrains() async {
        let outbox = WebSocketOutbox(maxBatchBytes: 1000)
        _ = outbox.start()
        #expect(outbox.push(Self.item(5)) != nil)
        _ = outbox.push(Self.item(6))
        outbox.finish()
        #expect(outbox.push(Self.item(7)) == nil)
        let drained = Mutex(false)
        let waiter = Task {
            await outbox.drained()
            drained.withLock { $0 = true }
        }
        try? await Task.sleep(for: .milliseconds(20))
        #expect(!drained.withLock { $0 })  // the first write and the 6 are still out
        #expect(outbox.written()?.map(\.count) == [6])
        #expect(outbox.written() == nil)
        await waiter.value
        #expect(drained.withLock { $0 })
    }

    @Test("a failed write drops what is queued and ends the queue")
    func failure() async {
        let outbox = WebSocketOutbox(maxBatchBytes: 1000)
        _ = outbox.start()
        _ = outbox.push(Self.item(5))
        _ = outbox.push(Self.item(6))
        outbox.failed()
        await outbox.drained()
        #expect(outbox.push(Self.item(7)) == nil)
    }

    @Test("an idle queue that finishes is drained at once")
    func idleFinish() async {
        let outbox = WebSocketOutbox(maxBatchBytes: 1000)
        _ = outbox.start()
        outbox.finish()
        await outbox.drained()
    }
}
