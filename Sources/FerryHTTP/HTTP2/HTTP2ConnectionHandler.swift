import CNghttp2
import HTTPTypes
import NIOCore

/// Drives one HTTP/2 connection with nghttp2: feeds it what the socket reads, turns its events
/// into exchanges with the same responder HTTP/1.1 uses, and writes what it serialises.
///
/// Everything runs on the channel's event loop. One pump (`mem_send` until empty, one write per
/// output piece, one flush) follows each read burst; work that arrives between reads (a response
/// from an async handler, a streamed chunk, a handler reading the request body) schedules one pump
/// for the loop tick. Pumping stops while the channel is not writable.
final class HTTP2ConnectionHandler: ChannelDuplexHandler, ExchangeDriver, HTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = IOData

    /// An `Upgrade: h2c` request that becomes stream 1.
    struct Upgrade {
        var settingsPayload: [UInt8]
        var request: HTTPRequest
    }

    private let responder: any HTTPResponder
    private let configuration: HTTPServerConfiguration
    private let session: HTTP2Session
    private var upgrade: Upgrade?
    private var streams: [Int32: HTTP2Stream] = [:]
    private var context: ChannelHandlerContext!
    private var eventLoop: (any EventLoop)!
    private var connectionInfo: HTTPConnectionInfo

    private var inReadBurst = false
    private var pumpScheduled = false
    private var waitingForWritability = false
    private var isClosed = false
    private var closeWhenDone = false
    private var goAwaySent = false
    private var dateCache = HTTPDateCache()
    private var scratchBlock = HTTP2HeaderBlock(capacity: 512)

    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?

    init(responder: any HTTPResponder, configuration: HTTPServerConfiguration, isSecure: Bool, upgrade: Upgrade? = nil)
    {
        self.responder = responder
        self.configuration = configuration
        self.upgrade = upgrade
        self.connectionInfo = HTTPConnectionInfo(
            remoteAddress: nil, localAddress: nil, isSecure: isSecure, protocolName: "HTTP/2")
        self.session = HTTP2Session(
            settings: .init(
                maxConcurrentStreams: UInt32(configuration.http2MaxConcurrentStreams),
                initialWindowSize: UInt32(configuration.http2InitialWindowSize),
                connectionWindowSize: UInt32(configuration.http2ConnectionWindowSize),
                maxHeaderListSize: UInt32(configuration.maxHeaderBytes),
                maxHeaderCount: configuration.maxHeaderCount,
                resetBurst: UInt64(configuration.http2ResetBurst),
                resetRatePerSecond: UInt64(configuration.http2ResetRatePerSecond),
                maxContinuations: configuration.http2MaxContinuations,
                maxEmptyDataFrames: configuration.http2MaxEmptyDataFrames,
                maxOutboundAcks: configuration.http2MaxOutboundAcks,
                maxSettingsEntries: configuration.http2MaxSettingsEntries
            ))
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.eventLoop = context.eventLoop
        connectionInfo.remoteAddress = context.channel.remoteAddress
        connectionInfo.localAddress = context.channel.localAddress
        session.delegate = self
        do {
            if let upgrade {
                try session.start(
                    upgradeSettings: upgrade.settingsPayload, upgradeIsHead: upgrade.request.method == .head)
            } else {
                try session.start()
            }
        } catch {
            isClosed = true
            context.close(promise: nil)
            return
        }
        if let upgrade {
            // RFC 9113 §3.1 (RFC 7540 §3.2): the upgraded request is stream 1, half-closed (remote).
            self.upgrade = nil
            openExchange(id: 1, head: .valid(upgrade.request), endStream: true)
        }
        armIdleTimer()
        pump()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        dropAllStreams()
        idleTimer?.cancel()
        bodyTimer?.cancel()
        writeTimer?.cancel()
        tunnelTimer?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionInfo.remoteAddress = context.channel.remoteAddress
        connectionInfo.localAddress = context.channel.localAddress
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        idleTimer?.cancel()
        bodyTimer?.cancel()
        writeTimer?.cancel()
        tunnelTimer?.cancel()
        dropAllStreams()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is HTTPServerShutdownEvent {
            beginGracefulClose()
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            if isClosed {
                context.close(promise: nil)  // drained: the client closed its side too
            } else if streams.isEmpty {
                close()
            } else {
                closeWhenDone = true  // the client sent all it will: answer what it asked, then close
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && waitingForWritability {
            waitingForWritability = false
            pump()
        }
        context.fireChannelWritabilityChanged()
    }

    private func dropAllStreams() {
        for stream in streams.values { drop(stream, error: HTTPBodyError.connectionClosed) }
        streams.removeAll()
    }

    /// Ends a stream's activity for good: its reader fails, its task stops, its writers hear.
    private func drop(_ stream: HTTP2Stream, error: any Error) {
        if !stream.requestComplete { stream.bodySource?.fail(error) }
        stream.task?.cancel()
        stream.body.fail(error)
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isClosed else { return }  // draining after GOAWAY
        let buffer = unwrapInboundIn(data)
        lastActivity = .now()
        inReadBurst = true
        let result = session.receive(buffer)
        handleEvents()
        if result < 0 {
            // nghttp2 queued a GOAWAY where the protocol calls for one (compression error…). A
            // flood of frames that need answers (PING, SETTINGS) while the client does not read
            // is an exception: queue ENHANCE_YOUR_CALM behind the answers already queued. A wrong
            // client preface is another: nghttp2 only reports it, RFC 9113 §3.4 wants a GOAWAY.
            if result == NGHTTP2_ERR_FLOODED.rawValue {
                session.terminate(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
            } else if result == NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue {
                session.terminate(errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
            }
            closeWhenDone = true
            pump()
            close()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        pump()
        context.fireChannelReadComplete()
    }

    /// Two event arrays swapped back and forth, so handling events (which may record new ones)
    /// never copies or reallocates them.
    private var spareEvents: [HTTP2Session.Event] = []

    private func handleEvents() {
        while !session.events.isEmpty {
            swap(&spareEvents, &session.events)
            for event in spareEvents { handle(event) }
            spareEvents.removeAll(keepingCapacity: true)
        }
    }

    private func handle(_ event: HTTP2Session.Event) {
        switch event {
        case .request(let streamID, let head, let endStream):
            openExchange(id: streamID, head: head, endStream: endStream)
        case .data(let streamID, let bytes):
            receiveBody(bytes, streamID: streamID)
        case .endStream(let streamID):
            guard let stream = streams[streamID], !stream.requestComplete else { return }
            stream.requestComplete = true
            stream.bodySource?.finish()
        case .responseEnded(let streamID):
            guard let stream = streams[streamID] else { return }
            responseFinished(stream)
            if !stream.requestComplete && stream.isTunnel {
                // Our side of the tunnel ended (END_STREAM): the orderly close of RFC 8441 §4 is
                // the client's END_STREAM. What it still sends is discarded; a client that never
                // ends its side is cut by the tunnel idle timeout.
                stream.bodySource?.abandon()
            } else if !stream.requestComplete {
                // RFC 9113 §8.1: a complete response before the whole request; stop the upload.
                stream.bodySource?.abandon()
                session.resetStream(streamID, errorCode: NGHTTP2_NO_ERROR.rawValue)
                schedulePump()  // queued after this pump's send: it needs one of its own
            }
        case .streamClosed(let streamID, let errorCode):
            streamClosed(streamID, errorCode: errorCode)
        case .goAway:
            closeWhenDone = true
        case .emptyDataFlood:
            session.terminate(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
            closeWhenDone = true
        case .staleStreamID:
            session.terminate(errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
            closeWhenDone = true
        case .closedStreamFrame(let streamID, .streamError):
            session.resetStream(streamID, errorCode: NGHTTP2_STREAM_CLOSED.rawValue)
        case .closedStreamFrame(_, .connectionError):
            session.terminate(errorCode: NGHTTP2_STREAM_CLOSED.rawValue)
            closeWhenDone = true
        case .closedStreamFrame(_, .ignore):
            break
        }
    }

    private func receiveBody(_ bytes: ByteBuffer, streamID: Int32) {
        guard let stream = streams[streamID], let source = stream.bodySource, !stream.requestComplete else {
            // Nobody will read these bytes: give the window back at once.
            session.consume(streamID: streamID, count: bytes.readableBytes)
            return
        }
        stream.unconsumedBytes += bytes.readableBytes
        stream.lastBodyActivity = lastActivity
        if stream.isTunnel { stream.lastTunnelActivity = lastActivity }
        _ = source.yield(bytes)  // flow control, not this answer, bounds what is buffered
    }

    /// The handler took `count` body bytes (or they were dropped): WINDOW_UPDATE for that much.
    private func bodyConsumed(_ count: Int, streamID: Int32) {
        guard let stream = streams[streamID] else { return }
        let returned = min(count, stream.unconsumedBytes)
        stream.unconsumedBytes -= returned
        if stream.unconsumedBytes == 0 {
            // The handler has read everything: from here it waits for the client.
            stream.lastBodyActivity = .now()
            armBodyTimer()
        }
        session.consume(streamID: streamID, count: returned)
        schedulePump()
    }

    private func streamClosed(_ streamID: Int32, errorCode: UInt32) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        responseFinished(stream)
        // Bytes received for the stream but never read still occupy the connection window.
        session.consumeConnection(count: stream.unconsumedBytes)
        stream.unconsumedBytes = 0
        if stream.responseHead != nil { record(stream) }
        drop(stream, error: errorCode == 0 ? HTTPBodyError.connectionClosed : HTTP2StreamResetError(code: errorCode))
        if streams.isEmpty {
            lastActivity = .now()
            armIdleTimer()
        }
    }

    // MARK: - Exchanges

    private func openExchange(id: Int32, head: HTTP2RequestHead, endStream: Bool) {
        guard case .valid(let request) = head else {
            let status: HTTPResponse.Status
            let reason: String
            switch head {
            case .tooLarge:
                status = .requestHeaderFieldsTooLarge
                reason = "request header list larger than announced"
            case .invalid(let why):
                status = .badRequest
                reason = why
            case .valid:
                return
            }
            let stream = HTTP2Stream(
                id: id, request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/"), start: .now(),
                bodySource: nil, requestComplete: endStream)
            streams[id] = stream
            send(responder.respondToRejectedRequest(HTTP1ParseError(status, reason)), for: stream)
            return
        }
        var source: RequestBodySource?
        if !endStream {
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            let eventLoop = self.eventLoop!
            source = RequestBodySource(
                highWatermark: Int.max, onDemand: nil,
                onConsumed: { count in
                    eventLoop.execute { loopBound.value.bodyConsumed(count, streamID: id) }
                })
        }
        let stream = HTTP2Stream(
            id: id, request: request, start: lastActivity, bodySource: source, requestComplete: endStream)
        streams[id] = stream
        // The idle timer is not cancelled per stream (that would cost a cancel and a reschedule
        // per request); it finds streams open when it fires and does nothing.
        if source != nil { armBodyTimer() }
        let serverRequest = HTTPServerRequest(
            head: request, body: HTTPRequestBody(source: source), connection: connectionInfo)
        switch responder.respond(to: serverRequest) {
        case .ready(let response):
            send(response, for: stream)
        case .async(let work):
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            stream.task = ExchangeTasks.spawnHandler(
                work, exchangeID: UInt64(id), driver: loopBound, eventLoop: eventLoop,
                ownerOnEventLoop: configuration.tunnelOwnerOnEventLoop)
        }
    }

    private func send(_ response: HTTPServerResponse, for stream: HTTP2Stream) {
        stream.route = response.route
        stream.requestID = response.requestID
        stream.lease = response.lease
        switch response.body {
        case .tunnel where !canOpenTunnel(response.head, for: stream):
            send(HTTPServerResponse(status: .internalServerError), for: stream)
        case .tunnel, .stream:
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            stream.task = ExchangeTasks.spawnBody(
                response, exchangeID: UInt64(stream.id), driver: loopBound, eventLoop: eventLoop,
                ownerOnEventLoop: configuration.tunnelOwnerOnEventLoop)
        case .segments(let segments):
            let length = response.body.knownLength ?? 0
            let hasBody = bodyAllowed(response.head, for: stream) && length > 0
            submit(response.head, prepared: response.prepared, length: length, hasBody: hasBody, for: stream)
            if hasBody {
                for segment in segments {
                    switch segment {
                    case .buffer(let bytes) where bytes.readableBytes > 0:
                        stream.body.append(.buffer(bytes, completion: nil))
                    case .file(let path, let offset, let count) where count > 0:
                        stream.body.append(.file(path: path, offset: offset, count: count))
                    default:
                        break
                    }
                }
            }
            stream.body.ended = true
            readFileSlice(for: stream)
            schedulePump()
        }
    }

    /// A tunnel answers only an extended CONNECT (RFC 8441 §4), and only with a 2xx: any other
    /// `.tunnel` response is a programming error of the layer above, answered with 500.
    private func canOpenTunnel(_ head: HTTPResponse, for stream: HTTP2Stream) -> Bool {
        stream.isExtendedConnect && head.status.kind == .successful
    }

    /// HEAD, 1xx, 204 and 304 carry no content (RFC 9110 §6.4.1).
    private func bodyAllowed(_ head: HTTPResponse, for stream: HTTP2Stream) -> Bool {
        let code = head.status.code
        return stream.request.method != .head && code != 204 && code != 304 && !(100..<200).contains(code)
    }

    /// Submits the response head; `length` (when known) becomes Content-Length.
    private func submit(
        _ head: HTTPResponse, prepared: PreparedHead? = nil, length: Int64?, hasBody: Bool, for stream: HTTP2Stream
    ) {
        let handlerFields = prepared?.http2Block ?? HTTP2HeaderBlock(responseFields: head.headerFields)
        // One block per connection, emptied and refilled: its storage is reused by every response.
        var block = HTTP2HeaderBlock()
        swap(&block, &scratchBlock)
        defer {
            block.removeAll()
            swap(&block, &scratchBlock)
        }
        // `HTTPResponse.status` parses the code from its pseudo-field on every access: read it once.
        let code = head.status.code
        block.append(name: ":status", value: String(code))
        block.append(contentsOf: handlerFields)
        let contentAllowed = code != 204 && code != 304 && !(100..<200).contains(code)
        if let length, contentAllowed {
            block.append(name: "content-length", value: String(length))
        } else if code == 304, let declared = head.headerFields[.contentLength] {
            block.append(name: "content-length", value: declared)
        }
        if connectionInfo.isSecure, let hsts = configuration.strictTransportSecurity {
            block.append(name: "strict-transport-security", value: hsts)
        }
        block.append(name: "date", value: dateCache.string())
        stream.responseHead = head
        responseStarted(stream)
        if session.submitResponse(streamID: stream.id, fields: &block, hasBody: hasBody) != 0 {
            session.resetStream(stream.id, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
        }
    }

    // MARK: - ExchangeDriver

    func sendIfCurrent(_ response: HTTPServerResponse, exchangeID: UInt64) {
        guard !isClosed, let stream = streams[Int32(truncatingIfNeeded: exchangeID)], stream.responseHead == nil else {
            return
        }
        send(response, for: stream)
    }

    func noteRoute(_ route: String?, requestID: String?, exchangeID: UInt64) {
        guard let stream = streams[Int32(truncatingIfNeeded: exchangeID)] else { return }
        stream.route = route
        stream.requestID = requestID
    }

    func startStream(_ head: HTTPResponse, exchangeID: UInt64) -> Bool {
        guard !isClosed, let stream = streams[Int32(truncatingIfNeeded: exchangeID)], stream.responseHead == nil else {
            return false
        }
        let declared = head.headerFields[.contentLength].flatMap { Int64($0) }
        let hasBody = bodyAllowed(head, for: stream) && declared != 0
        var head = head
        if declared == nil { head.headerFields[.contentLength] = nil }
        submit(head, length: declared, hasBody: hasBody, for: stream)
        schedulePump()
        guard hasBody else {
            stream.body.ended = true
            return false
        }
        stream.streamRemaining = declared
        return true
    }

    func writeStreamChunk(_ data: ByteBuffer, exchangeID: UInt64) -> EventLoopFuture<Void> {
        let id = Int32(truncatingIfNeeded: exchangeID)
        guard !isClosed, let stream = streams[id], !stream.body.ended else {
            return eventLoop.makeFailedFuture(HTTPBodyError.connectionClosed)
        }
        guard data.readableBytes > 0 else { return eventLoop.makeSucceededVoidFuture() }
        if let remaining = stream.streamRemaining {
            guard Int64(data.readableBytes) <= remaining else {
                return eventLoop.makeFailedFuture(HTTPStreamError.bodyLongerThanDeclared)
            }
            stream.streamRemaining = remaining - Int64(data.readableBytes)
        }
        let promise = eventLoop.makePromise(of: Void.self)
        stream.body.append(.buffer(data, completion: promise))
        session.resumeData(streamID: id)
        schedulePump()
        return promise.futureResult
    }

    func writeStreamChunks(_ data: [ByteBuffer], exchangeID: UInt64) -> EventLoopFuture<Void> {
        // Each chunk is queued on the stream in order; the pump sends them as DATA frames.
        let futures = data.map { writeStreamChunk($0, exchangeID: exchangeID) }
        return EventLoopFuture.andAllSucceed(futures, on: eventLoop)
    }

    func finishStream(exchangeID: UInt64) {
        let id = Int32(truncatingIfNeeded: exchangeID)
        guard !isClosed, let stream = streams[id] else { return }
        if let remaining = stream.streamRemaining, remaining != 0 {
            abortStream(exchangeID: exchangeID)
            return
        }
        stream.body.ended = true
        session.resumeData(streamID: id)
        schedulePump()
    }

    /// Opens a tunnel on an extended CONNECT stream (RFC 8441): the 2xx head goes out without
    /// END_STREAM and without Content-Length (RFC 9110 §9.3.6), its body is the tunnel's
    /// outbound bytes (DATA frames, flow-controlled like any response body), and the client's
    /// DATA frames are the inbound bytes, with the same flow control as request bodies.
    func startTunnel(_ head: HTTPResponse, exchangeID: UInt64) -> HTTPRequestBody? {
        guard !isClosed, let stream = streams[Int32(truncatingIfNeeded: exchangeID)], stream.responseHead == nil else {
            return nil
        }
        guard canOpenTunnel(head, for: stream) else {
            send(HTTPServerResponse(status: .internalServerError), for: stream)
            return nil
        }
        var head = head
        head.headerFields[.contentLength] = nil
        stream.isTunnel = true
        stream.lastTunnelActivity = .now()
        submit(head, length: nil, hasBody: true, for: stream)
        armTunnelTimer()
        schedulePump()
        return HTTPRequestBody(source: stream.bodySource)
    }

    func abortStream(exchangeID: UInt64) {
        let id = Int32(truncatingIfNeeded: exchangeID)
        guard !isClosed, let stream = streams[id] else { return }
        // Only this stream is cut; the connection and its other streams go on.
        if stream.isTunnel {
            resetTunnel(stream)
        } else {
            session.resetStream(id, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
        }
        schedulePump()
    }

    /// Cuts a tunnel: RST_STREAM(CANCEL), as RFC 8441 §4 maps an aborted TCP connection, and its
    /// pending reads and writes fail at once rather than when the stream has closed.
    private func resetTunnel(_ stream: HTTP2Stream) {
        guard !stream.tunnelReset else { return }
        stream.tunnelReset = true
        let error = HTTP2StreamResetError(code: NGHTTP2_CANCEL.rawValue)
        if !stream.requestComplete { stream.bodySource?.fail(error) }
        stream.body.fail(error)
        stream.body.ended = true
        session.resetStream(stream.id, errorCode: NGHTTP2_CANCEL.rawValue)
    }

    // MARK: - HTTP2SessionDelegate

    func http2Session(_ session: HTTP2Session, bodyBytesReadyFor streamID: Int32, max: Int) -> HTTP2BodyReadiness {
        guard let stream = streams[streamID] else { return .failed }
        let ready = stream.body.readyBytes
        // File ranges still to be read are not ready: the stream waits (deferred) for the read.
        let complete = stream.body.ended && stream.body.isFullyBuffered
        if ready == 0 { return complete ? .end : .deferred }
        let count = Int(min(Int64(max), ready))
        return .bytes(count, isLast: complete && Int64(count) == ready)
    }

    func http2Session(
        _ session: HTTP2Session, writeBodyBytes count: Int, streamID: Int32, into output: inout HTTP2Output
    ) {
        guard let stream = streams[streamID] else {
            output.buffer.writeRepeatingByte(0, count: count)  // cannot happen: nghttp2 asked for it
            return
        }
        lastOutputProgress = .now()
        if stream.isTunnel { stream.lastTunnelActivity = lastOutputProgress }
        // Counted as framed, not as queued: a stream reset part-way (a lease that ended, a client
        // gone) is logged with what it sent.
        stream.bodyBytesSent += Int64(count)
        stream.body.take(count, into: &output)
        readFileSlice(for: stream)
    }

    /// Starts reading the stream's next file slice off the event loop, when one is due. The bytes
    /// join the body when the read lands; a file that cannot be read to its promised length resets
    /// the stream before any of the missing bytes were promised in a frame.
    private func readFileSlice(for stream: HTTP2Stream) {
        if stream.lease?.hasEnded == true, !stream.body.isFullyBuffered {
            // The application withdrew the rest (a revoked drop): the stream ends here, unfinished.
            stream.body.fail(ResponseLeaseEnded())
            stream.body.ended = true
            session.resetStream(stream.id, errorCode: NGHTTP2_CANCEL.rawValue)
            return
        }
        guard let read = stream.body.nextRead() else { return }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let boundStream = NIOLoopBound(stream, eventLoop: eventLoop)
        FileSliceReader.shared.read(path: read.path, offset: read.offset, count: read.count, on: eventLoop)
            .whenComplete { result in
                let handler = loopBound.value
                let stream = boundStream.value
                guard !handler.isClosed, handler.streams[stream.id] === stream else { return }
                switch result {
                case .success(let bytes):
                    stream.body.completeRead(bytes)
                    handler.readFileSlice(for: stream)
                case .failure(let error):
                    stream.body.fail(error)
                    stream.body.ended = true
                    handler.session.resetStream(stream.id, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
                }
                handler.session.resumeData(streamID: stream.id)
                handler.schedulePump()
            }
    }

    // MARK: - Writing

    private func schedulePump() {
        guard !pumpScheduled, !inReadBurst, !isClosed else { return }
        pumpScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            loopBound.value.pumpScheduled = false
            loopBound.value.pump()
        }
    }

    /// Serialises everything nghttp2 has queued and writes it with one flush.
    private func pump() {
        guard !isClosed, let context else { return }
        guard context.channel.isWritable else {
            waitingForWritability = true
            return
        }
        var output = HTTP2Output(allocator: context.channel.allocator, coalescesEverything: connectionInfo.isSecure)
        let result = session.send(into: &output, limit: Self.pumpLimit)
        handleEvents()
        // Bounded: with large windows nghttp2 would serialise every ready body at once. When the
        // limit stopped it, the next pump follows the completion of this one's writes.
        let more = result == 0 && output.byteCount >= Self.pumpLimit && session.wantsWrite
        let (pieces, completions) = output.drain()
        if !pieces.isEmpty {
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1 && (!completions.isEmpty || more) {
                    let promise = context.eventLoop.makePromise(of: Void.self)
                    for completion in completions { promise.futureResult.cascade(to: completion) }
                    if more {
                        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
                        promise.futureResult.whenSuccess { loopBound.value.pump() }
                    }
                    context.write(wrapOutboundOut(piece), promise: promise)
                } else {
                    context.write(wrapOutboundOut(piece), promise: nil)
                }
            }
            context.flush()
        }
        if result < 0 || (!session.wantsRead && !session.wantsWrite) || (closeWhenDone && streams.isEmpty) {
            close()
        }
    }

    /// Closes after the output is flushed. The write side is shut first and the rest of the
    /// input drained (for at most `lingerTime`): closing a socket with unread input makes the
    /// kernel send RST, which can destroy the GOAWAY and the last responses still in the
    /// client's receive buffer.
    /// Bytes serialised per pump at most: large enough to fill the socket, small enough that
    /// reading files ahead and (under TLS) copying stays bounded per connection.
    static let pumpLimit = 1024 * 1024

    private func close() {
        guard !isClosed, let context else { return }
        isClosed = true
        idleTimer?.cancel()
        bodyTimer?.cancel()
        writeTimer?.cancel()
        tunnelTimer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        // A client that reads nothing never lets the flush complete: close regardless.
        context.eventLoop.scheduleTask(in: Self.lingerTime * 2) { loopBound.value.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer()))).whenComplete { _ in
            loopBound.value.close(mode: .output).whenFailure { _ in loopBound.value.close(promise: nil) }
            loopBound.value.eventLoop.scheduleTask(in: Self.lingerTime) { loopBound.value.close(promise: nil) }
        }
    }

    static let lingerTime: TimeAmount = .seconds(2)

    /// Server shutdown or idle timeout: a shutdown notice at once, the final GOAWAY (with the last
    /// stream that will be processed) after a round trip's grace, then close when streams finish.
    private func beginGracefulClose() {
        guard !isClosed, !goAwaySent else { return }
        goAwaySent = true
        session.submitShutdownNotice()
        pump()
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: configuration.http2GoAwayGrace) {
            let handler = loopBound.value
            guard !handler.isClosed else { return }
            // Only now may the connection close once idle: a request sent before the client saw
            // the notice is either served or named unprocessed by this GOAWAY's last stream id.
            handler.session.submitGoAway()
            handler.closeWhenDone = true
            handler.pump()
        }
    }

    // MARK: - Idle timeout

    private func armIdleTimer() {
        guard let context, !isClosed, streams.isEmpty, idleTimer == nil else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: lastActivity + configuration.keepAliveIdleTimeout) {
            let handler = loopBound.value
            handler.idleTimer = nil
            guard handler.streams.isEmpty else { return }
            if handler.lastActivity + handler.configuration.keepAliveIdleTimeout > .now() {
                handler.armIdleTimer()
            } else {
                handler.beginGracefulClose()
            }
        }
    }

    // MARK: - Response-write timeout

    private var lastOutputProgress = NIODeadline.now()
    private var writeTimer: Scheduled<Void>?

    /// Responses whose head went out and whose end has not: only these can stall on a client
    /// that does not read. Progress is body bytes sent (not PING or SETTINGS answers, which a
    /// client could use to look alive).
    private var responsesInProgress = 0
    private var hasResponsesInProgress: Bool { responsesInProgress > 0 }

    /// A tunnel is not a response in progress: a quiet WebSocket must not look like a stalled
    /// client, and its own idle timeout watches it.
    private func responseStarted(_ stream: HTTP2Stream) {
        guard !stream.isTunnel else { return }
        if responsesInProgress == 0 { lastOutputProgress = .now() }
        responsesInProgress += 1
        armWriteTimer()
    }

    private func responseFinished(_ stream: HTTP2Stream) {
        guard stream.responseHead != nil, !stream.responseComplete else { return }
        stream.responseComplete = true
        if stream.isTunnel { return }
        responsesInProgress -= 1
        lastOutputProgress = .now()
    }

    /// A client that stops reading, or grants no window, stalls every response in progress:
    /// when nothing has been sent for `responseWriteTimeout`, the connection is ended, as HTTP/1.1
    /// ends a connection whose writes make no progress.
    private func armWriteTimer() {
        guard writeTimer == nil, !isClosed, let context, hasResponsesInProgress else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        writeTimer = context.eventLoop.scheduleTask(
            deadline: lastOutputProgress + configuration.responseWriteTimeout
        ) {
            loopBound.value.writeTimerFired()
        }
    }

    private func writeTimerFired() {
        writeTimer = nil
        guard !isClosed, let context, hasResponsesInProgress else { return }
        guard lastOutputProgress + configuration.responseWriteTimeout <= .now() else {
            armWriteTimer()
            return
        }
        // Flushing would wait behind the very writes that stalled: GOAWAY best effort, then close.
        session.terminate(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
        pump()
        isClosed = true
        context.close(promise: nil)
    }

    // MARK: - Body-read timeout

    private var bodyTimer: Scheduled<Void>?

    /// One timer for the connection, at the earliest moment a stream's handler has waited
    /// `bodyReadTimeout` for body bytes the client does not send (a slowloris on HTTP/2). A
    /// stream whose handler is not reading is not timed: flow control stops the client then.
    private func armBodyTimer() {
        guard bodyTimer == nil, !isClosed, let context else { return }
        guard let earliest = streams.values.lazy.filter(\.isWaitingForClient).map(\.lastBodyActivity).min() else {
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        bodyTimer = context.eventLoop.scheduleTask(deadline: earliest + configuration.bodyReadTimeout) {
            loopBound.value.bodyTimerFired()
        }
    }

    private func bodyTimerFired() {
        bodyTimer = nil
        let now = NIODeadline.now()
        for stream in streams.values
        where stream.isWaitingForClient && stream.lastBodyActivity + configuration.bodyReadTimeout <= now {
            // The handler's read fails with 408, as on HTTP/1.1; its answer ends the stream.
            stream.bodyTimedOut = true
            stream.bodySource?.fail(HTTPBodyError.readTimeout)
        }
        armBodyTimer()
    }

    // MARK: - Tunnel idle timeout

    private var tunnelTimer: Scheduled<Void>?

    /// One timer for the connection, at the earliest moment a tunnel has moved no byte either way
    /// for `tunnelIdleTimeout`. While a tunnel is open the connection's own idle timeout does not
    /// fire (the stream is open), so this is what ends a tunnel whose peer is gone.
    private func armTunnelTimer() {
        guard tunnelTimer == nil, !isClosed, let context else { return }
        guard let earliest = streams.values.lazy.filter(\.isLiveTunnel).map(\.lastTunnelActivity).min() else {
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        tunnelTimer = context.eventLoop.scheduleTask(deadline: earliest + configuration.tunnelIdleTimeout) {
            loopBound.value.tunnelTimerFired()
        }
    }

    private func tunnelTimerFired() {
        tunnelTimer = nil
        let now = NIODeadline.now()
        var reset = false
        for stream in streams.values
        where stream.isLiveTunnel && stream.lastTunnelActivity + configuration.tunnelIdleTimeout <= now {
            // Only this stream: the connection and its other streams (and tunnels) go on.
            resetTunnel(stream)
            reset = true
        }
        if reset { schedulePump() }
        armTunnelTimer()
    }

    // MARK: - Records

    private func record(_ stream: HTTP2Stream) {
        responder.requestCompleted(
            HTTPExchangeRecord(
                request: stream.request,
                response: stream.responseHead ?? HTTPResponse(status: .internalServerError),
                bodyBytes: stream.bodyBytesSent,
                duration: .now() - stream.start,
                connection: connectionInfo,
                route: stream.route,
                requestID: stream.requestID
            ))
    }
}
