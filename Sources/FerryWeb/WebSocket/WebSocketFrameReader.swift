import NIOCore
import NIOWebSocket

/// Turns a client's bytes into checked frames (RFC 6455 §5.1–5.5): every client frame is masked,
/// reserved bits are zero (no extension is negotiated), opcodes are known, control frames are
/// whole and at most 125 bytes, sizes are within the configured limits; fragments are
/// reassembled into whole messages, with control frames passed on as they arrive (also between
/// the fragments of a message).
///
/// The frame layout is parsed here, on NIOWebSocket's types (`WebSocketFrame`, `WebSocketOpcode`),
/// with the rules of NIOWebSocket's `WebSocketFrameDecoder` and
/// `NIOWebSocketFrameAggregator`. Those are channel handlers: they would need a private
/// `EmbeddedChannel` per socket, and an `EmbeddedChannel` may only be used on the thread that
/// made it, which a task that awaits its tunnel does not stay on. Each payload is unmasked while
/// it is copied out of the reads into a buffer of its own (``WebSocketUnmasking``), sized for it
/// from its header, so a payload is copied once (not gathered, grown and unmasked in passes).
/// Owned by one task.
final class WebSocketFrameReader {
    private let configuration: WebSocketConfiguration
    private let maxMessage: Int
    /// Bytes received and not yet parsed: at most the start of a frame header (a frame's payload
    /// goes to `partial` as soon as its header is complete).
    private var pending = ByteBuffer()
    /// The frame whose payload is arriving: its header and the unmasked bytes so far.
    private var partial: PartialFrame?
    /// The message being reassembled: its opcode, fragments so far and their unmasked bytes.
    private var message: (opcode: WebSocketOpcode, fragments: Int, data: ByteBuffer)?
    /// A violation ended the stream: nothing more is parsed.
    private var failed = false

    /// Most bytes of a payload allocated before they arrive: a header alone does not make the
    /// server reserve a large frame's whole length.
    private static let upfrontCapacity = 64 * 1024 + 64

    private struct PartialFrame {
        var fin: Bool
        var opcode: WebSocketOpcode
        var key: UInt32
        var length: Int
        var payload: ByteBuffer
        /// Bytes in `payload` before this frame's: a continuation is unmasked straight onto the
        /// end of its message.
        var start = 0
        var remaining: Int { length - (payload.readableBytes - start) }
    }

    init(configuration: WebSocketConfiguration) {
        self.configuration = configuration
        self.maxMessage = max(configuration.maxTextMessageSize, configuration.maxBinaryMessageSize)
    }

    /// Frames completed by `bytes`: control frames as they arrive, data frames whole and
    /// unmasked; and the violation that ended the stream, if one did. Frames that came before the
    /// violation in the same read are returned too, in order.
    func read(_ bytes: ByteBuffer) -> (frames: [WebSocketFrame], violation: WebSocketViolation?) {
        guard !failed else { return ([], nil) }
        var bytes = bytes
        var frames: [WebSocketFrame] = []
        do {
            if partial != nil {
                guard let frame = continuePartial(from: &bytes) else { return ([], nil) }
                if let whole = try reassemble(frame) { frames.append(whole) }
            }
            if pending.readableBytes == 0 {
                pending = bytes
            } else {
                pending.writeBuffer(&bytes)
            }
            while let frame = try nextFrame() {
                if let whole = try reassemble(frame) { frames.append(whole) }
            }
        } catch {
            failed = true
            message = nil
            partial = nil
            pending = ByteBuffer()
            return (frames, error as? WebSocketViolation ?? .protocolError("malformed frame"))
        }
        if pending.readableBytes == 0 {
            pending = ByteBuffer()  // let go of the last read's storage
        } else if pending.readableBytes < 64 {
            // The start of the next header: kept in a small buffer of its own rather than
            // keeping the whole read (up to 64 KiB of NIO's receive pool) alive.
            var start = ByteBuffer()
            start.writeImmutableBuffer(pending)
            pending = start
        }
        return (frames, nil)
    }

    /// The next whole frame in `pending`, unmasked; nil until all its bytes arrived (then its
    /// payload so far is in `partial`). Size and control-frame rules are checked as soon as the
    /// header is complete, before the payload.
    private func nextFrame() throws -> WebSocketFrame? {
        guard let first = pending.getInteger(at: pending.readerIndex, as: UInt8.self),
            let second = pending.getInteger(at: pending.readerIndex + 1, as: UInt8.self)
        else { return nil }
        var headerSize = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let word = pending.getInteger(at: pending.readerIndex + 2, as: UInt16.self) else { return nil }
            length = Int(word)
            headerSize += 2
        } else if length == 127 {
            guard let quad = pending.getInteger(at: pending.readerIndex + 2, as: UInt64.self) else { return nil }
            guard quad <= UInt64(configuration.maxFrameSize) else { throw WebSocketViolation.tooBig("frame too large") }
            length = Int(quad)
            headerSize += 8
        }
        guard length <= configuration.maxFrameSize else { throw WebSocketViolation.tooBig("frame too large") }
        let fin = first & 0x80 != 0
        let isControl = first & 0x08 != 0
        if isControl, !fin { throw WebSocketViolation.protocolError("fragmented control frame") }
        if isControl, length > 125 { throw WebSocketViolation.protocolError("control frame longer than 125 bytes") }
        let masked = second & 0x80 != 0
        guard masked else { throw WebSocketViolation.protocolError("unmasked client frame") }
        guard pending.readableBytes >= headerSize + 4 else { return nil }
        guard first & 0x70 == 0 else { throw WebSocketViolation.protocolError("reserved bits set") }
        guard let opcode = WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F),
            [.continuation, .text, .binary, .connectionClose, .ping, .pong].contains(opcode)
        else { throw WebSocketViolation.protocolError("unknown opcode") }
        pending.moveReaderIndex(forwardBy: headerSize)
        let key = pending.readInteger(endianness: .host, as: UInt32.self)!
        // A large binary message (a relay frame) is read into a buffer of an earlier one, written
        // and given back (``WebSocketBufferPool``): its pages are not faulted in anew.
        let pooled = opcode == .binary && (length >= WebSocketBufferPool.minimumBytes || !fin)
        partial = PartialFrame(
            fin: fin, opcode: opcode, key: key, length: length,
            payload: pooled ? WebSocketBufferPool.shared.take() : ByteBuffer())
        if opcode == .continuation, let current = message {
            // The fragment's bytes go straight onto the end of its message (one copy of each
            // byte, not two): the message's buffer moves into the partial frame (swapped, so it
            // has one owner and grows in place) and comes back whole in `reassemble`.
            try checkFragment(fragments: current.fragments, size: current.data.readableBytes, fin: fin, length: length)
            swap(&partial!.payload, &message!.data)
            partial!.start = partial!.payload.readableBytes
            // A message that goes on past its first fragment gets room for the largest message of
            // its kind once: grown fragment by fragment, each growth copied what came before
            // (a 256 KiB relay message in 64 KiB fragments: 192 KiB copied again). Its first
            // fragment arrived whole, so a header alone still reserves nothing large.
            let largest =
                current.opcode == .text ? configuration.maxTextMessageSize : configuration.maxBinaryMessageSize
            partial!.payload.reserveCapacity(partial!.payload.readerIndex + largest)
        }
        // Reserved where it is kept: a second reference (a local) would make the first write
        // copy the whole reserved capacity (copy-on-write).
        partial!.payload.reserveCapacity(
            minimumWritableBytes: min(length, max(pending.readableBytes, Self.upfrontCapacity)))
        return continuePartial(from: &pending)
    }

    /// Adds what `bytes` holds of the partial frame's payload (unmasked on the way); the frame
    /// once it is whole.
    private func continuePartial(from bytes: inout ByteBuffer) -> WebSocketFrame? {
        guard var frame = partial else { return nil }
        partial = nil  // `frame.payload` stays the only owner of its storage: written in place
        let count = min(frame.remaining, bytes.readableBytes)
        if count > 0 {
            let phase = frame.payload.readableBytes - frame.start
            bytes.withUnsafeReadableBytes { source in
                _ = frame.payload.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { destination in
                    WebSocketUnmasking.unmask(
                        UnsafeRawBufferPointer(rebasing: source[..<count]), into: destination.baseAddress!,
                        key: frame.key, phase: phase)
                    return count
                }
            }
            bytes.moveReaderIndex(forwardBy: count)
        }
        guard frame.remaining == 0 else {
            partial = frame
            return nil
        }
        return WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.payload)
    }

    /// Control frames pass; a data frame completes a message or adds to one (a continuation's
    /// bytes are already on the end of its message's buffer, see ``nextFrame()``).
    private func reassemble(_ frame: WebSocketFrame) throws -> WebSocketFrame? {
        switch frame.opcode {
        case .text, .binary:
            guard message == nil else {
                throw WebSocketViolation.protocolError("new message before the last one ended")
            }
            if frame.fin { return frame }
            try checkFragment(fragments: 0, size: 0, fin: false, length: frame.length)
            message = (frame.opcode, 1, frame.data)
            return nil
        case .continuation:
            guard var current = message else {
                throw WebSocketViolation.protocolError("continuation without a message")
            }
            current.fragments += 1
            current.data = frame.data
            guard frame.fin else {
                message = current
                return nil
            }
            message = nil
            return WebSocketFrame(fin: true, opcode: current.opcode, data: current.data)
        default:
            return frame
        }
    }

    /// Whether a fragment of `length` bytes may join a message of `fragments` fragments and
    /// `size` bytes so far.
    private func checkFragment(fragments: Int, size: Int, fin: Bool, length: Int) throws {
        // As NIOWebSocketFrameAggregator counts: a non-final fragment must leave room for the last.
        guard fragments < configuration.maxFragments, fin || fragments + 1 < configuration.maxFragments else {
            throw WebSocketViolation(code: .policyViolation, reason: "too many fragments")
        }
        guard size + length <= maxMessage else { throw WebSocketViolation.tooBig("message too large") }
    }
}
