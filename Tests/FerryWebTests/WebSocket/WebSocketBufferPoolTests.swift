import NIOCore
import Testing

@testable import FerryWeb

/// The storage of large binary messages, reused: given back after the write, taken cleared for
/// the next message, bounded, and never shared with a buffer still in use (copy-on-write).
@Suite("WebSocket buffer pool")
struct WebSocketBufferPoolTests {
    @Test("a large buffer given back is taken again, cleared, with its storage")
    func reuse() {
        let pool = WebSocketBufferPool(limit: 4)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(256 * 1024)
        buffer.writeRepeatingByte(7, count: 200_000)
        let capacity = buffer.capacity
        pool.give(buffer)
        buffer = ByteBuffer()  // the writer's reference is gone
        var taken = pool.take()
        #expect(taken.readableBytes == 0)
        #expect(taken.capacity == capacity)
        #expect(pool.count == 0)
        taken.writeRepeatingByte(1, count: 10)
        #expect(taken.readableBytesView.allSatisfy { $0 == 1 })
    }

    @Test("small buffers are not kept, and no more than the limit")
    func bounds() {
        let pool = WebSocketBufferPool(limit: 2)
        pool.give(ByteBuffer(repeating: 1, count: 100))
        #expect(pool.count == 0)
        for _ in 0..<3 {
            var large = ByteBuffer()
            large.reserveCapacity(WebSocketBufferPool.minimumBytes)
            pool.give(large)
        }
        #expect(pool.count == 2)
        #expect(pool.take().capacity >= WebSocketBufferPool.minimumBytes)
    }

    @Test("an empty pool gives an empty buffer")
    func empty() {
        #expect(WebSocketBufferPool(limit: 1).take().capacity == 0)
    }

    @Test("a buffer still referred to elsewhere is not overwritten: the new message gets storage of its own")
    func copyOnWrite() {
        let pool = WebSocketBufferPool(limit: 1)
        var held = ByteBuffer()
        held.reserveCapacity(128 * 1024)
        held.writeRepeatingByte(9, count: 100_000)
        pool.give(held)  // given back too early: `held` still reads it
        var next = pool.take()
        next.writeRepeatingByte(3, count: 100_000)
        #expect(held.readableBytes == 100_000)
        #expect(held.readableBytesView.allSatisfy { $0 == 9 })
        #expect(next.readableBytesView.allSatisfy { $0 == 3 })
    }

    @Test("a relayed message read in fragments arrives whole and right through pooled buffers")
    func fragmentsThroughThePool() {
        let reader = WebSocketFrameReader(configuration: WebSocketConfiguration())
        for round in 0..<3 {
            let payload = (0..<(200 * 1024)).map { UInt8(truncatingIfNeeded: $0 &+ round) }
            var bytes: [UInt8] = []
            for (index, start) in stride(from: 0, to: payload.count, by: 64 * 1024).enumerated() {
                let end = min(start + 64 * 1024, payload.count)
                bytes += ClientFrame.make(
                    opcode: index == 0 ? 0x2 : 0x0, payload: Array(payload[start..<end]), fin: end == payload.count)
            }
            let (frames, violation) = reader.read(ByteBuffer(bytes: bytes))
            #expect(violation == nil)
            #expect(frames.count == 1)
            #expect(frames.first.map { Array($0.data.readableBytesView) } == payload)
            // Written: the socket gives the buffer back, and the next message reuses it.
            if let frame = frames.first { WebSocketBufferPool.shared.give(frame.data) }
        }
    }
}
