import NIOCore
import NIOEmbedded
import NIOWebSocket

/// Encodes server frames (unmasked, RFC 6455 §5.1) with NIOWebSocket's encoder, run in a private
/// `EmbeddedChannel` for the same reason as ``WebSocketFrameReader``. Owned by one task.
final class WebSocketFrameWriter {
    private let channel: EmbeddedChannel

    init() {
        channel = EmbeddedChannel()
        try! channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
    }

    deinit {
        _ = try? channel.finish()
    }

    /// The frame's bytes, ready for the tunnel.
    func encode(_ frame: WebSocketFrame) -> ByteBuffer {
        try! channel.writeOutbound(frame)
        var result = ByteBuffer()
        while var part = try? channel.readOutbound(as: ByteBuffer.self) {
            if result.readableBytes == 0 {
                result = part
            } else {
                result.writeBuffer(&part)
            }
        }
        return result
    }

    static func closeFrame(_ code: WebSocketCloseCode, reason: String) -> WebSocketFrame {
        var payload = ByteBuffer()
        payload.writeInteger(code.rawValue)
        // A close reason must fit a control frame (125 bytes in all).
        payload.writeString(String(decoding: reason.utf8.prefix(123), as: UTF8.self))
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
    }
}
