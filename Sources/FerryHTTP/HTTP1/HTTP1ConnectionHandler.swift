import HTTPTypes
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives one HTTP/1.1 connection: parses requests, hands them to the responder, writes responses
/// in order, and enforces the connection's limits and timeouts.
///
/// One request is processed at a time; pipelined requests wait in the input buffer (and reading
/// pauses) until the response before them is complete, which keeps responses in order without a
/// queue. Everything here runs on the channel's event loop.
final class HTTP1ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler, ExchangeDriver {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = IOData

    /// One request/response exchange.
    final class Exchange {
        let id: UInt64
        let head: HTTP1RequestHead
        let start: NIODeadline
        let bodySource: RequestBodySource?
        var requestComplete = false
        var responseHeadSent = false
        var responseComplete = false
        var continueSent = false
        var bodyBytesSent: Int64 = 0
        var sentHead: HTTPResponse?
        var route: String?
        var requestID: String?
        /// The task running an async handler or a stream, cancelled if the connection goes away.
        var task: Task<Void, Never>?
        /// The Content-Length a streaming response declared; its writes must add up to it.
        var streamRemaining: Int64?
        /// How a streaming response's body is framed (chunked, declared length, or until close).
        var streamFraming: HTTP1ResponseEncoder.Framing = .noBody
        var discardedBytes: Int64 = 0

        init(id: UInt64, head: HTTP1RequestHead, start: NIODeadline, bodySource: RequestBodySource?) {
            self.id = id
            self.head = head
            self.start = start
            self.bodySource = bodySource
        }
    }

    private let responder: any HTTPResponder
    private let configuration: HTTPServerConfiguration
    private var parser: HTTP1RequestParser
    private var cumulation = ByteBuffer()
    /// A zero-capacity buffer allocated once, to park `cumulation` on between requests.
    private var emptyBuffer = ByteBuffer()
    private var context: ChannelHandlerContext!
    private var eventLoop: (any EventLoop)!
    private var connectionInfo = HTTPConnectionInfo(
        remoteAddress: nil, localAddress: nil, isSecure: false, protocolName: "HTTP/1.1")

    private var exchange: Exchange?
    private var nextExchangeID: UInt64 = 0
    private var isProcessing = false
    private var inReadBurst = false
    private var needsFlush = false
    private var readPending = false
    private var pausedForBody = false
    private var closeAfterResponse = false
    private var isClosed = false
    private var inputClosed = false

    private var lastActivity = NIODeadline.now()
    private var headStart: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    private var dateCache = HTTPDateCache()

    /// Until the first request starts: whether the bytes may still be HTTP/2's connection preface
    /// (cleartext HTTP/2 with prior knowledge, RFC 9113 §3.3).
    private var mayBeHTTP2Preface: Bool
    /// Encoded fields this connection adds to every response.
    private var connectionFields: [UInt8] = []

    init(responder: any HTTPResponder, configuration: HTTPServerConfiguration, isSecure: Bool = false) {
        self.responder = responder
        self.configuration = configuration
        self.mayBeHTTP2Preface = configuration.http2Cleartext && !isSecure
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
        isClosed = true
        timer?.cancel()
        timer = nil
        dropExchange()
        context.fireChannelInactive()
    }

    /// Ends the current exchange for good: its body reader fails, its task is cancelled, and the
    /// reference cycle handler → exchange → body source → demand closure → handler is broken.
    private func dropExchange() {
        guard let exchange else { return }
        exchange.bodySource?.fail(HTTPBodyError.connectionClosed)
        exchange.task?.cancel()
        self.exchange = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client sent all it will send: answer what it sent (pipelined requests included,
            // they are already in the buffer), then close.
            inputClosed = true
            if let exchange, !exchange.requestComplete {
                exchange.bodySource?.fail(HTTPBodyError.connectionClosed)
                closeAfterResponse = true
                if exchange.responseComplete { close() }
            } else if exchange == nil {
                processInput()
            }
            return
        }
        if event is HTTPServerShutdownEvent {
            closeAfterResponse = true
            if exchange == nil { close() }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        lastActivity = .now()
        inReadBurst = true
        if cumulation.readableBytes == 0 {
            cumulation = incoming
        } else {
            cumulation.writeBuffer(&incoming)
        }
        if mayBeHTTP2Preface {
            switch HTTP2Preface.match(cumulation) {
            case .complete:
                switchToHTTP2(upgrade: nil)
                return
            case .partial:
                return  // wait for the rest of the 24 bytes
            case .no:
                mayBeHTTP2Preface = false
            }
        }
        processInput()
    }

    /// Hands the connection to an HTTP/2 handler: after the preface (prior knowledge) or after
    /// answering `Upgrade: h2c` with 101. Bytes already read go to the new handler.
    private func switchToHTTP2(upgrade: HTTP2ConnectionHandler.Upgrade?) {
        mayBeHTTP2Preface = false
        let http2 = HTTP2ConnectionHandler(
            responder: responder, configuration: configuration, isSecure: connectionInfo.isSecure, upgrade: upgrade)
        do {
            try context.pipeline.syncOperations.addHandler(http2, position: .after(self))
        } catch {
            close()
            return
        }
        isClosed = true  // this handler is done; the connection is not
        timer?.cancel()
        timer = nil
        exchange = nil
        let leftover = cumulation
        cumulation = emptyBuffer
        let context = self.context!
        if leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
            // Outside a read burst nothing else would end this one for the new handler.
            if !inReadBurst { context.fireChannelReadComplete() }
        }
        if inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        let resume = readPending
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if resume { context.channel.read() }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if pausedForBody || isAwaitingResponse {
            readPending = true
        } else {
            context.read()
        }
    }

    /// A complete request waits for its response; reading more would only buffer pipelined requests.
    private var isAwaitingResponse: Bool {
        guard let exchange else { return false }
        return exchange.requestComplete && !exchange.responseComplete
    }

    private func processInput() {
        guard !isProcessing else { return }
        isProcessing = true
        defer { isProcessing = false }
        while !isClosed {
            if let exchange, exchange.requestComplete { break }
            if exchange == nil && closeAfterResponse { break }
            let event: HTTP1RequestParser.Event?
            do {
                event = try parser.next(from: &cumulation)
            } catch {
                reject(error)
                return
            }
            guard let event else { break }
            switch event {
            case .head(let head):
                startExchange(head)
            case .body(let buffer):
                receiveBody(buffer)
            case .end:
                endOfRequest()
            }
        }
        // Read bytes are never reclaimed by appending; without this, a client that always leaves
        // a partial request at the end of a segment would grow the buffer without bound.
        if cumulation.readableBytes == 0 {
            // Let go of the receive buffer: NIO reuses it for the next read only while nothing else
            // holds it, which saves an allocation per request.
            cumulation = emptyBuffer
        } else if cumulation.readerIndex > 64 * 1024 {
            cumulation.discardReadBytes()
        }
        if exchange == nil {
            headStart = parser.isIdle && cumulation.readableBytes == 0 ? nil : (headStart ?? .now())
            if inputClosed { close() }
        }
        armTimer()
    }

    private func startExchange(_ head: HTTP1RequestHead) {
        headStart = nil
        mayBeHTTP2Preface = false
        if configuration.http2Cleartext, !connectionInfo.isSecure, head.framing == .none, head.minorVersion == 1,
            head.request.headerFields[.upgrade] != nil, let upgrade = H2CUpgrade.upgrade(for: head.request)
        {
            var buffer = context.channel.allocator.buffer(capacity: H2CUpgrade.switchingProtocols.count)
            buffer.writeBytes(H2CUpgrade.switchingProtocols)
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
            switchToHTTP2(upgrade: upgrade)
            return
        }
        nextExchangeID &+= 1
        let id = nextExchangeID
        let hasBody: Bool
        switch head.framing {
        case .none, .contentLength(0): hasBody = false
        default: hasBody = true
        }
        var source: RequestBodySource?
        if hasBody {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            source = RequestBodySource(highWatermark: configuration.requestBodyHighWatermark) {
                eventLoop.execute { loopBound.value.bodyDemanded(id) }
            }
        }
        let exchange = Exchange(id: id, head: head, start: lastActivity, bodySource: source)
        // A request without a body is complete with its head; the parser's `.end` that follows is
        // then a no-op.
        exchange.requestComplete = !hasBody
        self.exchange = exchange
        if !head.keepAlive { closeAfterResponse = true }
        connectionInfo.protocolName = head.minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1"
        let request = HTTPServerRequest(
            head: head.request,
            body: HTTPRequestBody(source: source),
            connection: connectionInfo
        )
        switch responder.respond(to: request) {
        case .ready(let response):
            send(response, for: exchange)
        case .async(let work):
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            exchange.task = ExchangeTasks.spawnHandler(work, exchangeID: id, driver: loopBound, eventLoop: eventLoop)
        }
    }

    private func receiveBody(_ buffer: ByteBuffer) {
        guard let exchange else { return }
        if exchange.responseComplete {
            exchange.discardedBytes += Int64(buffer.readableBytes)
            if exchange.discardedBytes > configuration.maxDiscardedBodyBytes { close() }
            return
        }
        if let source = exchange.bodySource, !source.yield(buffer) {
            pausedForBody = true
        }
    }

    private func endOfRequest() {
        guard let exchange, !exchange.requestComplete else { return }
        exchange.requestComplete = true
        exchange.bodySource?.finish()
        pausedForBody = false
        if exchange.responseComplete { finishExchange() }
    }

    /// The handler read from an empty body buffer or drained a full one.
    private func bodyDemanded(_ id: UInt64) {
        guard let exchange, exchange.id == id, !isClosed else { return }
        if exchange.head.expectsContinue && !exchange.continueSent && !exchange.responseHeadSent {
            exchange.continueSent = true
            lastActivity = .now()  // the body-read timeout counts from the go-ahead
            var buffer = context.channel.allocator.buffer(capacity: HTTP1ResponseEncoder.continueResponse.count)
            buffer.writeBytes(HTTP1ResponseEncoder.continueResponse)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        if pausedForBody, exchange.bodySource?.wantsMore ?? true {
            pausedForBody = false
            lastActivity = .now()
            resumeReading()
        }
        armTimer()
    }

    private func resumeReading() {
        if readPending && !pausedForBody && !isAwaitingResponse {
            readPending = false
            context.read()
        }
    }

    // MARK: - Writing

    func noteRoute(_ route: String?, requestID: String?, exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID else { return }
        exchange.route = route
        exchange.requestID = requestID
    }

    func sendIfCurrent(_ response: HTTPServerResponse, exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID, !isClosed else { return }
        send(response, for: exchange)
        flushIfNeeded()
    }

    private func send(_ response: HTTPServerResponse, for exchange: Exchange) {
        exchange.route = response.route
        exchange.requestID = response.requestID
        switch response.body {
        case .tunnel:
            send(HTTPServerResponse(status: .notImplemented), for: exchange)
        case .stream(let produce):
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            let id = exchange.id
            let head = response.head
            exchange.task = ExchangeTasks.spawnStream(
                produce, head: head, exchangeID: id, driver: loopBound, eventLoop: eventLoop)
        case .segments where connectionInfo.isSecure && response.hasFileSegments:
            // No sendfile under TLS: the file is read and encrypted slice by slice.
            send(response.readingFiles(sliceSize: Int(Self.fileSliceSize)), for: exchange)
        case .segments(let segments):
            let length = response.body.knownLength ?? 0
            let framing = bodyFraming(for: response.head, exchange: exchange, knownLength: length)
            var buffer = context.channel.allocator.buffer(capacity: 256 + (length <= 4096 ? Int(length) : 0))
            writeHead(
                response.head, prepared: response.prepared, framing: framing, exchange: exchange, into: &buffer)
            if case .contentLength = framing {
                writeSegments(segments, after: &buffer)
                exchange.bodyBytesSent = length
            } else {
                context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
            }
            completeResponse(exchange)
        }
    }

    private func bodyFraming(
        for head: HTTPResponse,
        exchange: Exchange,
        knownLength: Int64?
    ) -> HTTP1ResponseEncoder.Framing {
        let code = head.status.code
        if code == 204 || code == 304 || (100..<200).contains(code) {
            return .noBody
        }
        if exchange.head.request.method == .head {
            return knownLength.map { .headOf(length: $0) } ?? .noBody
        }
        if let knownLength { return .contentLength(knownLength) }
        if let declared = head.headerFields[.contentLength].flatMap({ Int64($0) }), declared >= 0 {
            return .contentLength(declared)
        }
        if exchange.head.minorVersion == 0 {
            closeAfterResponse = true
            return .untilClose
        }
        return .chunked
    }

    private func writeHead(
        _ head: HTTPResponse,
        prepared: PreparedHead? = nil,
        framing: HTTP1ResponseEncoder.Framing,
        exchange: Exchange,
        into buffer: inout ByteBuffer,
        isStream: Bool = false
    ) {
        if !exchange.requestComplete {
            // The handler answered before the whole body arrived. Keep the connection only if the
            // rest is small enough to read and throw away, and the client is not still waiting for
            // a 100 Continue it will never get. A streaming response may still be reading the body
            // (echo, transform), so its body is only abandoned when the stream ends.
            if !isStream {
                exchange.bodySource?.abandon()
                pausedForBody = false
            }
            let awaitingContinue = exchange.head.expectsContinue && !exchange.continueSent
            if case .contentLength(let length) = exchange.head.framing, length <= configuration.maxDiscardedBodyBytes,
                !awaitingContinue
            {
            } else {
                closeAfterResponse = true
            }
        }
        exchange.responseHeadSent = true
        exchange.sentHead = head
        HTTP1ResponseEncoder.encodeHead(
            head,
            prepared: prepared,
            framing: framing,
            keepAlive: !closeAfterResponse,
            http10: exchange.head.minorVersion == 0,
            date: dateCache.buffer(),
            connectionFields: connectionFields,
            into: &buffer
        )
    }

    private func writeSegments(_ segments: [HTTPResponseBody.Segment], after head: inout ByteBuffer) {
        var pending = head
        for segment in segments {
            switch segment {
            case .buffer(var bytes):
                if bytes.readableBytes <= 4096 {
                    pending.writeBuffer(&bytes)
                } else {
                    context.write(wrapOutboundOut(.byteBuffer(pending)), promise: nil)
                    context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
                    pending = context.channel.allocator.buffer(capacity: 0)
                }
            case .file(let path, let offset, let count):
                guard count > 0 else { continue }
                context.write(wrapOutboundOut(.byteBuffer(pending)), promise: nil)
                pending = context.channel.allocator.buffer(capacity: 0)
                do {
                    try writeFile(path: path, offset: offset, count: count)
                } catch {
                    // The file vanished after the head promised its length: the response cannot be
                    // completed truthfully, so the connection is cut.
                    closeAfterResponse = true
                    close()
                    return
                }
            }
        }
        if pending.readableBytes > 0 {
            context.write(wrapOutboundOut(.byteBuffer(pending)), promise: nil)
        }
    }

    /// Sends a file range with sendfile, in slices of `fileSliceSize` so each finished slice
    /// counts as write progress (a slow reader is fine, a reader that stops is not).
    private func writeFile(path: String, offset: Int64, count: Int64) throws {
        let handle = try NIOFileHandle(_deprecatedPath: path)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        if writesOutstanding == 0 { lastWriteProgress = .now() }
        setCorked(true)
        var start = offset
        let end = offset + count
        while start < end {
            let sliceEnd = min(end, start + Self.fileSliceSize)
            let region = FileRegion(fileHandle: handle, readerIndex: Int(start), endIndex: Int(sliceEnd))
            let promise = eventLoop.makePromise(of: Void.self)
            let isLast = sliceEnd == end
            writesOutstanding += 1
            promise.futureResult.whenComplete { _ in
                loopBound.value.writeFinished()
                if isLast { try? handle.close() }
            }
            context.write(wrapOutboundOut(.fileRegion(region)), promise: promise)
            start = sliceEnd
        }
    }

    static let fileSliceSize: Int64 = 1024 * 1024

    /// Large writes in flight, and when one last finished: the response-write timeout.
    private var writesOutstanding = 0
    private var lastWriteProgress = NIODeadline.now()

    private func writeFinished() {
        writesOutstanding -= 1
        lastWriteProgress = .now()
        if writesOutstanding == 0 { setCorked(false) }
        armTimer()
    }

    /// TCP_CORK while file slices are queued, as nginx's `tcp_nopush`: the head and the file's
    /// first bytes leave in full segments instead of a small head segment first (about 15% more
    /// 1 MiB responses per second on loopback). Released when the last slice is written, which
    /// sends any partial segment at once.
    private var corked = false

    private func setCorked(_ on: Bool) {
        #if os(Linux)
            guard corked != on, let options = context?.channel.syncOptions else { return }
            corked = on
            try? options.setOption(Self.corkOption, value: on ? 1 : 0)
        #endif
    }

    #if os(Linux)
        private static let corkOption = ChannelOptions.Types.SocketOption(
            level: .tcp, name: NIOBSDSocket.Option(rawValue: CInt(TCP_CORK)))
    #endif

    /// Writes the head of a streaming response; the answer tells the producer whether to go on.
    func startStream(_ head: HTTPResponse, exchangeID: UInt64) -> Bool {
        guard let exchange, exchange.id == exchangeID, !isClosed, !exchange.responseHeadSent else { return false }
        let framing = bodyFraming(for: head, exchange: exchange, knownLength: nil)
        var buffer = context.channel.allocator.buffer(capacity: 256)
        writeHead(head, framing: framing, exchange: exchange, into: &buffer, isStream: true)
        if case .contentLength(let declared) = framing { exchange.streamRemaining = declared }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        exchange.streamFraming = framing
        switch framing {
        case .noBody, .headOf:
            // Nothing may follow the head (HEAD, 204, 304): the exchange is complete already.
            completeResponse(exchange)
            flushIfNeeded()
            return false
        default:
            return true
        }
    }

    func writeStreamChunk(_ data: ByteBuffer, exchangeID: UInt64) -> EventLoopFuture<Void> {
        guard let exchange, exchange.id == exchangeID, !isClosed else {
            return eventLoop.makeFailedFuture(HTTPBodyError.connectionClosed)
        }
        guard data.readableBytes > 0 else { return context.eventLoop.makeSucceededVoidFuture() }
        if let remaining = exchange.streamRemaining {
            // More than the declared Content-Length would be read as the next response.
            guard Int64(data.readableBytes) <= remaining else {
                return eventLoop.makeFailedFuture(HTTPStreamError.bodyLongerThanDeclared)
            }
            exchange.streamRemaining = remaining - Int64(data.readableBytes)
        }
        exchange.bodyBytesSent += Int64(data.readableBytes)
        let promise = context.eventLoop.makePromise(of: Void.self)
        if writesOutstanding == 0 { lastWriteProgress = .now() }
        writesOutstanding += 1
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        promise.futureResult.whenComplete { _ in loopBound.value.writeFinished() }
        armTimer()
        if exchange.streamFraming == .chunked {
            var buffer = context.channel.allocator.buffer(capacity: data.readableBytes + 16)
            HTTP1ResponseEncoder.encodeChunk(data, into: &buffer)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
        } else {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(data)), promise: promise)
        }
        return promise.futureResult
    }

    func finishStream(exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID, !isClosed else { return }
        if let remaining = exchange.streamRemaining, remaining != 0 {
            // Shorter than declared: the client would wait for bytes that never come.
            abortStream(exchangeID: exchangeID)
            return
        }
        if !exchange.requestComplete { exchange.bodySource?.abandon() }
        if exchange.streamFraming == .chunked {
            var buffer = context.channel.allocator.buffer(capacity: 5)
            buffer.writeStaticString(HTTP1ResponseEncoder.lastChunk)
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        completeResponse(exchange)
        flushIfNeeded()
    }

    func startTunnel(_ head: HTTPResponse, exchangeID: UInt64) -> HTTPRequestBody? {
        sendIfCurrent(HTTPServerResponse(status: .notImplemented), exchangeID: exchangeID)
        return nil
    }

    func abortStream(exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID else { return }
        closeAfterResponse = true
        record(exchange)
        close()
    }

    private func completeResponse(_ exchange: Exchange) {
        exchange.responseComplete = true
        needsFlush = true
        record(exchange)
        if closeAfterResponse {
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: promise)
            needsFlush = false
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            promise.futureResult.whenComplete { _ in loopBound.value.close() }
            return
        }
        if exchange.requestComplete {
            finishExchange()
        } else {
            // The unread rest of the body is discarded as it arrives; reading must go on for that.
            armTimer()
            resumeReading()
        }
    }

    private func finishExchange() {
        exchange = nil
        lastActivity = .now()  // the idle timeout counts from the end of the exchange
        if closeAfterResponse {
            close()
            return
        }
        resumeReading()
        if !isProcessing {
            processInput()
        }
    }

    private func record(_ exchange: Exchange) {
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

    private func flushIfNeeded() {
        guard needsFlush, !inReadBurst, let context else { return }
        needsFlush = false
        context.flush()
    }

    // MARK: - Errors and closing

    /// Answers a request the engine refused, then closes: after a framing error the rest of the
    /// byte stream cannot be trusted.
    private func reject(_ error: HTTP1ParseError) {
        closeAfterResponse = true
        if let exchange, exchange.responseHeadSent {
            close()
            return
        }
        let response = responder.respondToRejectedRequest(error)
        let request =
            exchange?.head
            ?? HTTP1RequestHead(
                request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: error.target ?? "/"),
                minorVersion: 1, keepAlive: false, framing: .none, expectsContinue: false)
        let rejected = Exchange(id: 0, head: request, start: lastActivity, bodySource: nil)
        rejected.requestComplete = true
        exchange?.bodySource?.fail(HTTPBodyError.connectionClosed)
        exchange = rejected
        send(response, for: rejected)
    }

    /// Closes after handing everything written so far to the socket.
    private func close() {
        guard !isClosed, let context else { return }
        isClosed = true
        timer?.cancel()
        needsFlush = false
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer()))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    // MARK: - Timers

    /// One timer per connection, re-armed lazily: activity only moves a deadline forward, and the
    /// timer re-checks when it fires, so the common path never reschedules.
    private func currentDeadline() -> (NIODeadline, TimeoutKind)? {
        if writesOutstanding > 0 {
            return (lastWriteProgress + configuration.responseWriteTimeout, .write)
        }
        if let exchange {
            if exchange.requestComplete || pausedForBody { return nil }
            if exchange.head.expectsContinue && !exchange.continueSent { return nil }
            if exchange.responseComplete || exchange.bodySource != nil {
                return (lastActivity + configuration.bodyReadTimeout, .body)
            }
            return nil
        }
        if let headStart { return (headStart + configuration.headerReadTimeout, .head) }
        return (lastActivity + configuration.keepAliveIdleTimeout, .idle)
    }

    private enum TimeoutKind { case idle, head, body, write }

    private func armTimer() {
        guard let context, !isClosed, let (deadline, _) = currentDeadline() else { return }
        if let timerDeadline, timer != nil, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) { loopBound.value.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard !isClosed, let (deadline, kind) = currentDeadline() else { return }
        guard deadline <= .now() else {
            armTimer()
            return
        }
        switch kind {
        case .idle:
            close()
        case .write:
            // Flushing first would wait behind the very writes that stalled: close at once.
            isClosed = true
            context?.close(promise: nil)
        case .head:
            reject(HTTP1ParseError(.requestTimeout, "request head not received in time"))
            flushIfNeeded()
        case .body:
            closeAfterResponse = true
            if let exchange, exchange.responseComplete {
                close()
            } else {
                exchange?.bodySource?.fail(HTTPBodyError.readTimeout)
            }
        }
    }
}
