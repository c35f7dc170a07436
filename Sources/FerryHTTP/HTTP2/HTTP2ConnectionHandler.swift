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
///
/// nghttp2 keeps the protocol's state; the glue's own decisions (serving, shutting down, closed;
/// when to pump) live in ``HTTP2ConnectionStateMachine``. Exchanges, response bodies and timers
/// are in `HTTP2ConnectionHandler+*.swift`.
final class HTTP2ConnectionHandler: ChannelDuplexHandler, ExchangeDriver, HTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = IOData

    /// An `Upgrade: h2c` request that becomes stream 1.
    struct Upgrade {
        var settingsPayload: [UInt8]
        var request: HTTPRequest
    }

    let responder: any HTTPResponder
    let configuration: HTTPServerConfiguration
    let session: HTTP2Session
    var upgrade: Upgrade?
    var streams: [Int32: HTTP2Stream] = [:]
    var context: ChannelHandlerContext!
    var eventLoop: (any EventLoop)!
    var connectionInfo: HTTPConnectionInfo

    /// Whether the connection serves, is shutting down or is closed, and when it pumps.
    var machine = HTTP2ConnectionStateMachine()
    var isClosed: Bool { machine.isClosed }
    var dateCache = HTTPDateCache()
    var scratchBlock = HTTP2HeaderBlock(capacity: 512)

    var lastActivity = NIODeadline.now()
    var idleTimer: Scheduled<Void>?
    /// The last time a response body made progress (see `armWriteTimer`).
    var lastOutputProgress = NIODeadline.now()
    var writeTimer: Scheduled<Void>?
    /// Responses whose head went out and whose end has not: only these can stall on a client
    /// that does not read. Progress is body bytes sent (not PING or SETTINGS answers, which a
    /// client could use to look alive).
    var responsesInProgress = 0
    var bodyTimer: Scheduled<Void>?
    var tunnelTimer: Scheduled<Void>?

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
            _ = machine.closing()
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
        _ = machine.closing()
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
            switch machine.inputClosed(streamsEmpty: streams.isEmpty) {
            case .closeChannel: context.close(promise: nil)  // drained: the client closed its side too
            case .close: close()
            case .finishStreams: break  // the client sent all it will: answer what it asked, then close
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if machine.writabilityChanged(writable: context.channel.isWritable) { pump() }
        context.fireChannelWritabilityChanged()
    }

    func dropAllStreams() {
        for stream in streams.values { drop(stream, error: HTTPBodyError.connectionClosed) }
        streams.removeAll()
    }

    /// Ends a stream's activity for good: its reader fails, its task stops, its writers hear.
    func drop(_ stream: HTTP2Stream, error: any Error) {
        if !stream.requestComplete { stream.bodySource?.fail(error) }
        stream.task?.cancel()
        stream.body.fail(error)
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard machine.readStarted() else { return }  // draining after GOAWAY
        let buffer = unwrapInboundIn(data)
        lastActivity = .now()
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
            machine.finishStreams()
            pump()
            close()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        machine.readCompleted()
        pump()
        context.fireChannelReadComplete()
    }

    /// Two event arrays swapped back and forth, so handling events (which may record new ones)
    /// never copies or reallocates them.
    var spareEvents: [HTTP2Session.Event] = []

    func handleEvents() {
        while !session.events.isEmpty {
            swap(&spareEvents, &session.events)
            for event in spareEvents { handle(event) }
            spareEvents.removeAll(keepingCapacity: true)
        }
    }

    func handle(_ event: HTTP2Session.Event) {
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
            machine.finishStreams()
        case .emptyDataFlood:
            session.terminate(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
            machine.finishStreams()
        case .staleStreamID:
            session.terminate(errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
            machine.finishStreams()
        case .closedStreamFrame(let streamID, .streamError):
            session.resetStream(streamID, errorCode: NGHTTP2_STREAM_CLOSED.rawValue)
        case .closedStreamFrame(_, .connectionError):
            session.terminate(errorCode: NGHTTP2_STREAM_CLOSED.rawValue)
            machine.finishStreams()
        case .closedStreamFrame(_, .ignore):
            break
        }
    }

    func receiveBody(_ bytes: ByteBuffer, streamID: Int32) {
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
    func bodyConsumed(_ count: Int, streamID: Int32) {
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

    func streamClosed(_ streamID: Int32, errorCode: UInt32) {
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

    // MARK: - Writing

    func schedulePump() {
        guard machine.pumpRequested() else { return }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            loopBound.value.machine.scheduledPumpStarted()
            loopBound.value.pump()
        }
    }

    /// Serialises everything nghttp2 has queued and writes it with one flush.
    func pump() {
        guard let context, machine.pumpStarting(channelWritable: context.channel.isWritable) else { return }
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
        if machine.closesAfterPump(
            failed: result < 0, sessionWantsIO: session.wantsRead || session.wantsWrite, streamsEmpty: streams.isEmpty)
        {
            close()
        }
    }

    /// Bytes serialised per pump at most: large enough to fill the socket, small enough that
    /// reading files ahead and (under TLS) copying stays bounded per connection.
    static let pumpLimit = 1024 * 1024

    /// Closes after the output is flushed. The write side is shut first and the rest of the
    /// input drained (for at most `lingerTime`): closing a socket with unread input makes the
    /// kernel send RST, which can destroy the GOAWAY and the last responses still in the
    /// client's receive buffer.
    func close() {
        guard let context, machine.closing() else { return }
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
    func beginGracefulClose() {
        guard machine.shutdownRequested() else { return }
        session.submitShutdownNotice()
        pump()
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: configuration.http2GoAwayGrace) {
            let handler = loopBound.value
            // Only now may the connection close once idle: a request sent before the client saw
            // the notice is either served or named unprocessed by this GOAWAY's last stream id.
            guard handler.machine.shutdownGraceElapsed() else { return }
            handler.session.submitGoAway()
            handler.pump()
        }
    }

}
