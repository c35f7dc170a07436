import NIOCore
import Synchronization

/// Counts what one connection received; written by its event loop, read by the main task.
final class ConnectionCounters: Sendable {
    let messages = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let open = Atomic<Bool>(false)
    let failed = Atomic<Bool>(false)
}

/// One client connection: the HTTP/1.1 upgrade, then `depth` echo messages kept in flight — a
/// new one is sent each time a whole message comes back. Server frames are parsed only as far as
/// their headers; payloads are skipped in place.
final class EchoLoadHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: ByteBuffer
    private let frame: ByteBuffer
    private let depth: Int
    private let counters: ConnectionCounters
    private var handshake: ByteBuffer?
    /// Header bytes of a server frame split across reads.
    private var header: [UInt8] = []
    /// Payload bytes of the current server frame still to skip.
    private var remaining = 0
    private var fin = false
    private var opcode: UInt8 = 0
    private var messageBytes = 0
    private var needsFlush = false

    init(request: ByteBuffer, frame: ByteBuffer, depth: Int, counters: ConnectionCounters) {
        self.request = request
        self.frame = frame
        self.depth = depth
        self.counters = counters
        header.reserveCapacity(10)
    }

    func channelActive(context: ChannelHandlerContext) {
        handshake = ByteBuffer()
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var pending = handshake {
            pending.writeBuffer(&bytes)
            let view = pending.readableBytesView
            guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
                handshake = pending
                return
            }
            guard view.starts(with: Array("HTTP/1.1 101".utf8)) else {
                counters.failed.store(true, ordering: .relaxed)
                context.close(promise: nil)
                return
            }
            handshake = nil
            pending.moveReaderIndex(to: end.upperBound)
            bytes = pending
            counters.open.store(true, ordering: .relaxed)
            for _ in 0..<depth { context.write(wrapOutboundOut(frame), promise: nil) }
            needsFlush = true
        }
        consume(&bytes, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        counters.open.store(false, ordering: .relaxed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        counters.failed.store(true, ordering: .relaxed)
        context.close(promise: nil)
    }

    private func consume(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) {
        while bytes.readableBytes > 0 {
            if remaining > 0 {
                let skipped = min(remaining, bytes.readableBytes)
                bytes.moveReaderIndex(forwardBy: skipped)
                remaining -= skipped
                messageBytes += skipped
                if remaining == 0 { frameEnded(context: context) }
                continue
            }
            header.append(bytes.readInteger(as: UInt8.self)!)
            guard header.count >= 2 else { continue }
            let lengthCode = header[1] & 0x7F
            let needed = lengthCode == 126 ? 4 : lengthCode == 127 ? 10 : 2
            guard header.count == needed else { continue }
            fin = header[0] & 0x80 != 0
            opcode = header[0] & 0x0F
            switch lengthCode {
            case 126: remaining = Int(header[2]) << 8 | Int(header[3])
            case 127: remaining = header[2...9].reduce(0) { $0 << 8 | Int($1) }
            default: remaining = Int(lengthCode)
            }
            header.removeAll(keepingCapacity: true)
            if remaining == 0 { frameEnded(context: context) }
        }
    }

    private func frameEnded(context: ChannelHandlerContext) {
        switch opcode {
        case 0x0, 0x1, 0x2:
            guard fin else { return }
            counters.messages.add(1, ordering: .relaxed)
            counters.bytes.add(messageBytes, ordering: .relaxed)
            messageBytes = 0
            context.write(wrapOutboundOut(frame), promise: nil)
            needsFlush = true
        case 0x8:
            counters.failed.store(true, ordering: .relaxed)
            context.close(promise: nil)
        default:
            // Pings and pongs are not echoes; runs are shorter than the servers' ping interval.
            messageBytes = 0
        }
    }
}
