import NIOCore
import NIOWebSocket

/// Encodes server frames (RFC 6455 §5.2): unmasked, so a frame is its header and its payload.
/// Written here rather than through NIOWebSocket's encoder, a channel handler that would need a
/// private pipeline per socket; tests check the bytes against that encoder's.
enum WebSocketFrameWriter {
    /// Appends the frame's bytes to `buffer`.
    static func encode(_ frame: WebSocketFrame, into buffer: inout ByteBuffer) {
        encodeHeader(frame, length: frame.data.readableBytes, into: &buffer)
        var payload = frame.data
        buffer.writeBuffer(&payload)
    }

    /// The largest header of a server frame: 2 bytes and a 64-bit length, no mask.
    static let maxHeaderSize = 10

    /// The frame's bytes with its header written into the free bytes in front of its payload
    /// (a received message keeps room there, see ``WebSocketFrameReader``): the payload is not
    /// copied. Nil when there is no such room.
    static func encodeInPlace(_ frame: WebSocketFrame) -> ByteBuffer? {
        var buffer = frame.data
        let length = buffer.readableBytes
        let size = headerSize(payload: length)
        guard buffer.readerIndex >= size else { return nil }
        var header = ByteBuffer()
        encodeHeader(frame, length: length, into: &header)
        buffer.moveReaderIndex(to: buffer.readerIndex - size)
        buffer.setBuffer(header, at: buffer.readerIndex)
        return buffer
    }

    private static func encodeHeader(_ frame: WebSocketFrame, length: Int, into buffer: inout ByteBuffer) {
        var first = UInt8(webSocketOpcode: frame.opcode)
        if frame.fin { first |= 0x80 }
        first |= frame.reservedBits.rawValue
        buffer.writeInteger(first)
        if length < 126 {
            buffer.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(length))
        }
    }

    /// Bytes of the header of a frame with `length` bytes of payload.
    static func headerSize(payload length: Int) -> Int {
        length < 126 ? 2 : length <= Int(UInt16.max) ? 4 : 10
    }

    static func closeFrame(_ code: WebSocketCloseCode, reason: String) -> WebSocketFrame {
        var payload = ByteBuffer()
        payload.writeInteger(code.rawValue)
        // A close reason must fit a control frame (125 bytes in all).
        payload.writeString(String(decoding: reason.utf8.prefix(123), as: UTF8.self))
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
    }
}
