import NIOCore

/// The connection after `101 Switching Protocols`: raw bytes both ways between the socket and the
/// owner of an ``HTTPTunnel`` (a WebSocket), framed by nobody.
///
/// It replaces ``HTTP1ConnectionHandler`` in the pipeline (see its protocol switch), which keeps a
/// reference and forwards the owner's writes, finish and abort here: the exchange tasks are bound
/// to the handler the request arrived on. Inbound bytes feed a ``RequestBodySource`` with
/// backpressure: reading stops while the owner is more than the high watermark behind. The only
/// timeout is ``HTTPServerConfiguration/tunnelIdleTimeout``: no byte either way for that long
/// closes the connection. A graceful shutdown leaves the tunnel to its owner, whose close the
/// server's drain time bounds.
final class HTTP1TunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = IOData

    private let idleTimeout: TimeAmount
    private let highWatermark: Int
    private let eventLoop: any EventLoop
    /// The client's bytes for the owner; nil once the connection is gone (which breaks the cycle
    /// handler → source → demand closure → handler).
    private var source: RequestBodySource?
    private var context: ChannelHandlerContext?
    /// The owner fell behind: reads wait until it asks for more.
    private var paused = false
    private var readPending = false
    /// The owner finished or aborted, or the channel closed: nothing more is written.
    private var isDone = false
    /// The channel closed (or is closing at once): no timer, no reads for the owner.
    private var ended = false
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    /// The task running the tunnel's owner, cancelled when the connection goes away.
    var task: Task<Void, Never>?

    init(idleTimeout: TimeAmount, highWatermark: Int, eventLoop: any EventLoop) {
        self.idleTimeout = idleTimeout
        self.highWatermark = highWatermark
        self.eventLoop = eventLoop
    }

    /// The client's bytes as the owner will read them; called once, before the handler is added.
    func makeInbound() -> HTTPRequestBody {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let eventLoop = self.eventLoop
        let source = RequestBodySource(highWatermark: highWatermark) {
            eventLoop.execute { loopBound.value.demanded() }
        }
        self.source = source
        return HTTPRequestBody(source: source)
    }

    // MARK: - Lifecycle

    /// Largest read from a tunnel's socket. Connections read at most 64 KiB at a time (NIO's
    /// default); a tunnel may carry large messages back to back (relay frames of 256 KiB), which
    /// then cost a quarter of the reads, wake-ups and hand-overs to the owner. The allocator
    /// adapts, so a tunnel of small messages keeps small buffers.
    static let maxReadBytes = 1024 * 1024

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        context.channel.setOption(
            ChannelOptions.recvAllocator,
            value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.maxReadBytes)
        ).whenFailure { _ in }
        lastActivity = .now()
        armTimer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end(HTTPBodyError.connectionClosed)
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client's EOF arrives first as `inputClosed` (half-closure is on) and has ended the
        // inbound already; closed without it (a reset, an error, the server), reads fail.
        end(HTTPBodyError.connectionClosed)
        task?.cancel()
        context.fireChannelInactive()
    }

    private func end(_ error: any Error) {
        isDone = true
        ended = true
        timer?.cancel()
        timer = nil
        source?.fail(error)
        source = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client's EOF ends the inbound sequence; whether to close is the owner's call.
            source?.finish()
            return
        }
        // A graceful shutdown does not end a tunnel: its owner says goodbye in its own protocol
        // (WebSocket close 1001), and the server's drain time bounds how long that may take.
        if event is HTTPServerShutdownEvent { return }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        guard let source else { return }
        if !source.yield(unwrapInboundIn(data)) { paused = true }
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// The owner read from an empty buffer or drained a full one.
    private func demanded() {
        guard paused, let source, source.wantsMore else { return }
        paused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    // MARK: - Writing (forwarded from the exchange's driver)

    /// Writes raw bytes; the future completes when they reached the socket.
    func write(_ data: ByteBuffer) -> EventLoopFuture<Void> {
        guard !isDone, let context else { return eventLoop.makeFailedFuture(HTTPBodyError.connectionClosed) }
        guard data.readableBytes > 0 else { return eventLoop.makeSucceededVoidFuture() }
        lastActivity = .now()
        let promise = eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        promise.futureResult.whenSuccess { loopBound.value.lastActivity = .now() }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(data)), promise: promise)
        return promise.futureResult
    }

    /// Writes several buffers with one flush, so NIO sends them in one gathering system call; the
    /// future completes when all reached the socket.
    func write(_ buffers: [ByteBuffer]) -> EventLoopFuture<Void> {
        guard !isDone, let context else { return eventLoop.makeFailedFuture(HTTPBodyError.connectionClosed) }
        guard let last = buffers.lastIndex(where: { $0.readableBytes > 0 }) else {
            return eventLoop.makeSucceededVoidFuture()
        }
        lastActivity = .now()
        for buffer in buffers[..<last] where buffer.readableBytes > 0 {
            // A failed write fails the channel, and with it the last write's promise.
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        let promise = eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        promise.futureResult.whenSuccess { loopBound.value.lastActivity = .now() }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffers[last])), promise: promise)
        return promise.futureResult
    }

    /// The owner returned: the written bytes go out, then the connection closes (the idle timeout
    /// still holds while they drain).
    func finish() {
        guard !isDone, let context else { return }
        isDone = true
        let loopBound = NIOLoopBound(context, eventLoop: eventLoop)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer()))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    /// The owner gave up: close at once; pending reads and writes fail.
    func abort() {
        guard let context else { return }
        end(HTTPBodyError.connectionClosed)
        context.close(promise: nil)
    }

    // MARK: - Liveness

    /// One timer, re-armed lazily like the HTTP/1.1 handler's: activity only moves the deadline.
    private func armTimer() {
        guard !ended, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: lastActivity + idleTimeout) {
            loopBound.value.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        guard !ended, let context else { return }
        if lastActivity + idleTimeout <= .now() {
            // Nothing moved either way: the peer is gone or the owner stopped both directions.
            end(HTTPBodyError.readTimeout)
            context.close(promise: nil)
        } else {
            armTimer()
        }
    }
}
