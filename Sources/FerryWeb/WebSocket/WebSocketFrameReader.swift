import NIOCore
import NIOWebSocket

/// Turns a client's bytes into checked frames (RFC 6455 §5.1–5.5): every client frame is masked,
/// reserved bits are zero (no extension is negotiated), opcodes are known, control frames are
/// whole and at most 125 bytes, sizes are within the configured limits; fragments are
/// reassembled into whole messages, with control frames passed on as they arrive (also between
/// the fragments of a message).
///
/// The frame layout is parsed here, on NIOWebSocket's types (`WebSocketFrame`, the masking key
/// and its unmasking), with the rules of NIOWebSocket's `WebSocketFrameDecoder` and
/// `NIOWebSocketFrameAggregator`. Those are channel handlers: they would need a private
/// `EmbeddedChannel` per socket, and an `EmbeddedChannel` may only be used on the thread that
/// made it, which a task that awaits its tunnel does not stay on. Owned by one task.
final class WebSocketFrameReader {
    private let configuration: WebSocketConfiguration
    private let maxMessage: Int
    /// Bytes received and not yet parsed (at most one incomplete frame).
    private var pending = ByteBuffer()
    /// The message being reassembled: its opcode, fragments so far and their unmasked bytes.
    private var message: (opcode: WebSocketOpcode, fragments: Int, data: ByteBuffer)?
    /// A violation ended the stream: nothing more is parsed.
    private var failed = false

    init(configuration: WebSocketConfiguration) {
        self.configuration = configuration
        self.maxMessage = max(configuration.maxTextMessageSize, configuration.maxBinaryMessageSize)
    }

    /// Frames completed by `bytes`: control frames as they arrive, data frames whole and
    /// unmasked; and the violation that ended the stream, if one did. Frames that came before the
    /// violation in the same read are returned too, in order.
    func read(_ bytes: ByteBuffer) -> (frames: [WebSocketFrame], violation: WebSocketViolation?) {
        guard !failed else { return ([], nil) }
        if pending.readableBytes == 0 {
            pending = bytes
        } else {
            var bytes = bytes
            pending.writeBuffer(&bytes)
        }
        var frames: [WebSocketFrame] = []
        do {
            while let frame = try nextFrame() {
                if let whole = try reassemble(frame) { frames.append(whole) }
            }
        } catch {
            failed = true
            message = nil
            pending = ByteBuffer()
            return (frames, error as? WebSocketViolation ?? .protocolError("malformed frame"))
        }
        if pending.readableBytes == 0 { pending = ByteBuffer() }  // let go of the last read's storage
        return (frames, nil)
    }

    /// The next whole frame in `pending`, unmasked; nil until all its bytes arrived. Size and
    /// control-frame rules are checked as soon as the header says the length, before the payload.
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
        let total = headerSize + (masked ? 4 : 0) + length
        guard pending.readableBytes >= total else { return nil }
        guard masked else { throw WebSocketViolation.protocolError("unmasked client frame") }
        guard first & 0x70 == 0 else { throw WebSocketViolation.protocolError("reserved bits set") }
        guard let opcode = WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F),
            [.continuation, .text, .binary, .connectionClose, .ping, .pong].contains(opcode)
        else { throw WebSocketViolation.protocolError("unknown opcode") }
        pending.moveReaderIndex(forwardBy: headerSize)
        let key = WebSocketMaskingKey(pending.readBytes(length: 4)!)!
        switch opcode {
        case .continuation:
            // Unmasked straight into the message (one copy of each byte, not two); the frame
            // handed on carries no bytes.
            guard var current = message else {
                throw WebSocketViolation.protocolError("continuation without a message")
            }
            try checkFragment(of: current, fin: fin, length: length)
            message = nil  // `current.data` the only reference: appended in place
            appendUnmasked(length: length, key: key, to: &current.data)
            current.fragments += 1
            message = current
            return WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer())
        case .text where !fin, .binary where !fin:
            guard message == nil else {
                throw WebSocketViolation.protocolError("new message before the last one ended")
            }
            try checkFragment(of: (opcode, 0, ByteBuffer()), fin: fin, length: length)
            // Room for the largest message at once: it never grows (and moves) fragment by fragment.
            var data = Self.bufferWithHeadroom(capacity: maxMessage)
            appendUnmasked(length: length, key: key, to: &data)
            message = (opcode, 1, data)
            return WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer())
        default:
            var data = Self.bufferWithHeadroom(capacity: length)
            appendUnmasked(length: length, key: key, to: &data)
            return WebSocketFrame(fin: fin, opcode: opcode, data: data)
        }
    }

    /// An empty buffer for `capacity` bytes with ``WebSocketFrameWriter/maxHeaderSize`` bytes
    /// free in front: a message forwarded as it came (a relay frame) gets its new header there
    /// instead of being copied behind one.
    private static func bufferWithHeadroom(capacity: Int) -> ByteBuffer {
        let headroom = WebSocketFrameWriter.maxHeaderSize
        var buffer = ByteBufferAllocator().buffer(capacity: headroom + capacity)
        buffer.moveWriterIndex(forwardBy: headroom)
        buffer.moveReaderIndex(forwardBy: headroom)
        return buffer
    }

    /// Takes the next `length` bytes of `pending` and appends them unmasked to `buffer`, in one
    /// pass (a slice of `pending` would be copied on write, then unmasked byte by byte).
    private func appendUnmasked(length: Int, key: WebSocketMaskingKey, to buffer: inout ByteBuffer) {
        guard length > 0 else { return }
        let start = pending.readerIndex
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { destination in
            pending.withUnsafeReadableBytes { source in
                Self.unmask(UnsafeRawBufferPointer(rebasing: source[..<length]), into: destination, key: key)
            }
            return length
        }
        pending.moveReaderIndex(to: start + length)
    }

    /// XORs `source` with the masking key into `destination`, eight bytes at a time.
    static func unmask(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, key: WebSocketMaskingKey
    ) {
        let count = source.count
        var pattern: UInt64 = 0
        withUnsafeMutableBytes(of: &pattern) { bytes in
            for index in 0..<8 { bytes[index] = key[index % 4] }
        }
        var index = 0
        while index + 8 <= count {
            let word = source.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            destination.storeBytes(of: word ^ pattern, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            destination[index] = source[index] ^ key[index % 4]
            index += 1
        }
    }

    /// Control frames pass; a data frame is a whole message or completes one (its fragments
    /// were added to ``message`` as they were read).
    private func reassemble(_ frame: WebSocketFrame) throws -> WebSocketFrame? {
        switch frame.opcode {
        case .text, .binary:
            guard frame.fin else { return nil }
            guard message == nil else {
                throw WebSocketViolation.protocolError("new message before the last one ended")
            }
            return frame
        case .continuation:
            guard frame.fin, let whole = message else { return nil }
            message = nil
            return WebSocketFrame(fin: true, opcode: whole.opcode, data: whole.data)
        default:
            return frame
        }
    }

    /// Whether one more fragment of `length` bytes may join the message.
    private func checkFragment(
        of current: (opcode: WebSocketOpcode, fragments: Int, data: ByteBuffer), fin: Bool, length: Int
    ) throws {
        // As NIOWebSocketFrameAggregator counts: a non-final fragment must leave room for the last.
        guard current.fragments < configuration.maxFragments,
            fin || current.fragments + 1 < configuration.maxFragments
        else { throw WebSocketViolation(code: .policyViolation, reason: "too many fragments") }
        guard current.data.readableBytes + length <= maxMessage else {
            throw WebSocketViolation.tooBig("message too large")
        }
    }
}
