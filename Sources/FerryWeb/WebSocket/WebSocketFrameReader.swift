import NIOCore
import NIOEmbedded
import NIOWebSocket

/// Turns a client's bytes into checked frames: NIOWebSocket's frame decoder and fragment
/// aggregator, plus the rules they leave to the server (RFC 6455 §5.1–5.5): every client frame is
/// masked, reserved bits are zero (no extension is negotiated), opcodes are known, sizes are
/// within the configured limits.
///
/// The decoder and aggregator are channel handlers, and a tunnel is not always a channel (on
/// HTTP/2 it is one stream among many), so they run in a private `EmbeddedChannel`: a
/// synchronous pipeline with no I/O, fed with the tunnel's bytes. Owned by one task.
final class WebSocketFrameReader {
    private let channel: EmbeddedChannel
    private let configuration: WebSocketConfiguration

    init(configuration: WebSocketConfiguration) {
        self.configuration = configuration
        self.channel = EmbeddedChannel()
        let maxMessage = max(configuration.maxTextMessageSize, configuration.maxBinaryMessageSize)
        try! channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: configuration.maxFrameSize)),
            ClientFrameRules(),
            NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: configuration.maxFragments,
                maxAccumulatedFrameSize: maxMessage),
        ])
    }

    deinit {
        _ = try? channel.finish()
    }

    /// Frames completed by `bytes`: control frames as they arrive (also between the fragments of
    /// a message), data frames whole and unmasked; and the violation that ended the stream, if one
    /// did. Frames that came before the violation in the same read are returned too, in order.
    func read(_ bytes: ByteBuffer) -> (frames: [WebSocketFrame], violation: WebSocketViolation?) {
        var violation: WebSocketViolation?
        do {
            try channel.writeInbound(bytes)
        } catch {
            violation = Self.violation(for: error)
        }
        var frames: [WebSocketFrame] = []
        while let frame = try? channel.readInbound(as: WebSocketFrame.self) {
            frames.append(frame)
        }
        return (frames, violation)
    }

    private static func violation(for error: any Error) -> WebSocketViolation {
        if let violation = error as? WebSocketViolation { return violation }
        switch error {
        case NIOWebSocketError.invalidFrameLength:
            return .tooBig("frame too large")
        case NIOWebSocketError.fragmentedControlFrame:
            return .protocolError("fragmented control frame")
        case NIOWebSocketError.multiByteControlFrameLength:
            return .protocolError("control frame longer than 125 bytes")
        case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge:
            return .tooBig("message too large")
        case NIOWebSocketFrameAggregator.Error.tooManyFragments:
            return .init(code: .policyViolation, reason: "too many fragments")
        case NIOWebSocketFrameAggregator.Error.didReceiveFragmentBeforeReceivingTextOrBinaryFrame:
            return .protocolError("continuation without a message")
        case NIOWebSocketFrameAggregator.Error.receivedNewFrameWithoutFinishingPrevious:
            return .protocolError("new message before the last one ended")
        default:
            return .protocolError("malformed frame")
        }
    }

    /// The per-frame rules the decoder leaves to the server.
    private final class ClientFrameRules: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias InboundOut = WebSocketFrame

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            if frame.maskKey == nil {
                context.fireErrorCaught(WebSocketViolation.protocolError("unmasked client frame"))
            } else if !frame.reservedBits.isEmpty {
                context.fireErrorCaught(WebSocketViolation.protocolError("reserved bits set"))
            } else {
                switch frame.opcode {
                case .continuation, .text, .binary, .connectionClose, .ping, .pong:
                    context.fireChannelRead(data)
                default:
                    context.fireErrorCaught(WebSocketViolation.protocolError("unknown opcode"))
                }
            }
        }
    }
}
