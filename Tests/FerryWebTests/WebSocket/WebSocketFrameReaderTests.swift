import NIOCore
import NIOWebSocket
import Testing

@testable import FerryWeb

/// The reader parses frames itself: however the bytes are cut into reads, frames come out whole
/// and in order, and a frame over the limit is refused from its header, before its payload.
@Suite("WebSocket frame reader")
struct WebSocketFrameReaderTests {
    static let configuration = WebSocketConfiguration(
        maxFrameSize: 1024, maxTextMessageSize: 512, maxBinaryMessageSize: 1024, maxFragments: 8)

    @Test("frames cut byte by byte, and several in one read, come out whole and in order")
    func cutAnywhere() throws {
        let binary = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        let bytes =
            ClientFrame.text("one") + ClientFrame.make(opcode: 0x2, payload: binary)
            + ClientFrame.text("fr", fin: false) + ClientFrame.make(opcode: 0x9, payload: [1])
            + ClientFrame.make(opcode: 0x0, payload: Array("agment".utf8))
        for cut in [1, 2, 3, 7, bytes.count] {
            let reader = WebSocketFrameReader(configuration: Self.configuration)
            var frames: [WebSocketFrame] = []
            var start = 0
            while start < bytes.count {
                let end = min(start + cut, bytes.count)
                let (read, violation) = reader.read(ByteBuffer(bytes: bytes[start..<end]))
                #expect(violation == nil)
                frames += read
                start = end
            }
            #expect(frames.map(\.opcode) == [.text, .binary, .ping, .text])
            #expect(
                frames.map { Array($0.unmaskedData.readableBytesView) }
                    == [Array("one".utf8), binary, [1], Array("fragment".utf8)])
        }
    }

    @Test(
        "a frame over the limit is refused from its header alone",
        arguments: [
            [0x82, 0xFE, 0x08, 0x00],  // masked, 16-bit length: 2048 bytes announced
            [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0],  // 64-bit length: 65,536 bytes
            [0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // more than Int.max
        ] as [[UInt8]])
    func oversizedHeader(header: [UInt8]) {
        let reader = WebSocketFrameReader(configuration: Self.configuration)
        let (frames, violation) = reader.read(ByteBuffer(bytes: header))
        #expect(frames.isEmpty)
        #expect(violation?.code == .messageTooBig)
        // Nothing is parsed after a violation.
        #expect(reader.read(ByteBuffer(bytes: ClientFrame.text("late"))).frames.isEmpty)
    }
}
