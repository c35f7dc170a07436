import HTTPTypes
import NIOCore

/// Drives one HTTP/1.1 connection: parses requests, hands them to the responder, writes responses
/// in order, and enforces the connection's limits and timeouts.
///
/// One request is processed at a time; pipelined requests wait in the input buffer (and reading
/// pauses) until the response before them is complete, which keeps responses in order without a
/// queue. Everything here runs on the channel's event loop.
///
/// The decisions live in ``HTTP1ConnectionStateMachine``; this class adapts it to NIO: it feeds
/// the machine events and performs the actions it returns. Reading, writing, timers and protocol
/// switches are in `HTTP1ConnectionHandler+*.swift`.
final class HTTP1ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler, ExchangeDriver {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = IOData

    let responder: any HTTPResponder
    let configuration: HTTPServerConfiguration
    var machine: HTTP1ConnectionStateMachine
    var parser: HTTP1RequestParser
    var cumulation = ByteBuffer()
    /// A zero-capacity buffer allocated once, to park `cumulation` on between requests.
    var emptyBuffer = ByteBuffer()
    var context: ChannelHandlerContext!
    var eventLoop: (any EventLoop)!
    var connectionInfo = HTTPConnectionInfo(
        remoteAddress: nil, localAddress: nil, isSecure: false, protocolName: "HTTP/1.1")

    /// The objects of the exchange in flight; its progress is in `machine`.
    var exchange: Exchange?
    /// Re-entrancy guard: parsing can be asked for again while it runs (a response completed
    /// inline ends the exchange).
    var isProcessing = false

    var timer: Scheduled<Void>?
    var timerDeadline: NIODeadline?
    var dateCache = HTTPDateCache()

    /// After a switch to a tunnel: the handler that owns the connection now, and the exchange
    /// whose task drives it. The task is bound to this handler, so its writes, finish and abort
    /// arrive here and are forwarded.
    var tunnel: HTTP1TunnelHandler?
    var tunnelExchangeID: UInt64 = 0

    /// TCP_CORK is on (file slices queued); see `setCorked`.
    var corked = false
    /// Encoded fields this connection adds to every response.
    var connectionFields: [UInt8] = []

    init(responder: any HTTPResponder, configuration: HTTPServerConfiguration, isSecure: Bool = false) {
        self.responder = responder
        self.configuration = configuration
        self.machine = HTTP1ConnectionStateMachine(
            limits: .init(configuration), mayBeHTTP2Preface: configuration.http2Cleartext && !isSecure, now: .now())
        self.connectionInfo.isSecure = isSecure
        if isSecure, let hsts = configuration.strictTransportSecurity {
            self.connectionFields = Array("Strict-Transport-Security: \(hsts)\r\n".utf8)
        }
        self.parser = HTTP1RequestParser(
            limits: .init(
                maxRequestLineLength: configuration.maxRequestLineLength,
                maxHeaderBytes: configuration.maxHeaderBytes,
                maxHeaderCount: configuration.maxHeaderCount,
                maxChunkLineLength: configuration.maxChunkLineLength
            ))
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.eventLoop = context.eventLoop
        emptyBuffer = context.channel.allocator.buffer(capacity: 0)
        cumulation = emptyBuffer
        connectionInfo.remoteAddress = context.channel.remoteAddress
        connectionInfo.localAddress = context.channel.localAddress
        if context.channel.isActive { armTimer() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        dropExchange()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionInfo.remoteAddress = context.channel.remoteAddress
        connectionInfo.localAddress = context.channel.localAddress
        armTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.channelClosed()
        timer?.cancel()
        timer = nil
        dropExchange()
        context.fireChannelInactive()
    }

    /// Ends the current exchange for good: its body reader fails, its task is cancelled, and the
    /// reference cycle handler → exchange → body source → demand closure → handler is broken.
    func dropExchange() {
        guard let exchange else { return }
        exchange.bodySource?.fail(HTTPBodyError.connectionClosed)
        exchange.task?.cancel()
        self.exchange = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client sent all it will send: answer what it sent (pipelined requests included,
            // they are already in the buffer), then close.
            switch machine.inputClosedReceived() {
            case .none:
                break
            case .failBody(let closeNow):
                exchange?.bodySource?.fail(HTTPBodyError.connectionClosed)
                if closeNow { close() }
            case .processInput:
                processInput()
            }
            return
        }
        if event is HTTPServerShutdownEvent {
            if machine.shutdownRequested() { close() }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    // MARK: - Errors and closing

    /// Answers a request the engine refused, then closes: after a framing error the rest of the
    /// byte stream cannot be trusted.
    func reject(_ error: HTTP1ParseError) {
        guard machine.requestRejected() else {
            close()
            return
        }
        let response = responder.respondToRejectedRequest(error)
        let request =
            exchange?.head
            ?? HTTP1RequestHead(
                request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: error.target ?? "/"),
                minorVersion: 1, keepAlive: false, framing: .none, expectsContinue: false)
        let rejected = Exchange(id: 0, head: request, start: machine.lastActivity, bodySource: nil)
        exchange?.bodySource?.fail(HTTPBodyError.connectionClosed)
        exchange = rejected
        send(response, for: rejected)
    }

    /// Closes after handing everything written so far to the socket.
    func close() {
        guard let context, machine.closeRequested() else { return }
        timer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer()))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func record(_ exchange: Exchange) {
        let now = NIODeadline.now()
        responder.requestCompleted(
            HTTPExchangeRecord(
                request: exchange.head.request,
                response: exchange.sentHead ?? HTTPResponse(status: .internalServerError),
                bodyBytes: exchange.bodyBytesSent,
                duration: now - exchange.start,
                connection: connectionInfo,
                route: exchange.route,
                requestID: exchange.requestID
            ))
    }
}
