import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import FerryWeb

/// Server frames are encoded by hand (no pipeline per socket): the bytes must be exactly those of
/// NIOWebSocket's encoder, for every length form and opcode.
@Suite("WebSocket frame writer")
struct WebSocketFrameWriterTests {
    static func nioBytes(_ frame: WebSocketFrame) throws -> [UInt8] {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        try channel.writeOutbound(frame)
        var bytes: [UInt8] = []
        while let part = try channel.readOutbound(as: ByteBuffer.self) { bytes += part.readableBytesView }
        _ = try channel.finish()
        return bytes
    }

    @Test(
        "the bytes equal NIOWebSocket's encoder's",
        arguments: [0, 1, 125, 126, 127, 65_535, 65_536, 70_000])
    func sameAsNIO(length: Int) throws {
        let payload = ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let frames = [
            WebSocketFrame(fin: true, opcode: .text, data: payload),
            WebSocketFrame(fin: false, opcode: .binary, data: payload),
            WebSocketFrame(fin: true, opcode: .continuation, data: payload),
        ]
        for frame in frames {
            var mine = ByteBuffer()
            WebSocketFrameWriter.encode(frame, into: &mine)
            #expect(Array(mine.readableBytesView) == (try Self.nioBytes(frame)))
            #expect(mine.readableBytes == WebSocketFrameWriter.headerSize(payload: length) + length)
        }
    }

    @Test("control frames, and several frames in one buffer")
    func controlFramesInOneBuffer() throws {
        let frames = [
            WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "ferry")),
            WebSocketFrame(fin: true, opcode: .pong, data: ByteBuffer(bytes: [7, 7])),
            WebSocketFrameWriter.closeFrame(.goingAway, reason: "server shutting down"),
        ]
        var mine = ByteBuffer()
        for frame in frames { WebSocketFrameWriter.encode(frame, into: &mine) }
        #expect(Array(mine.readableBytesView) == (try frames.flatMap(Self.nioBytes)))
    }
}
