import CNghttp2
import HTTPTypes
import NIOCore

/// Exchanges: each request stream handed to the responder, its response submitted to nghttp2,
/// and the `ExchangeDriver` calls through which async handlers, streamed bodies and tunnels write.
extension HTTP2ConnectionHandler {
    // MARK: - Exchanges

    func openExchange(id: Int32, head: HTTP2RequestHead, endStream: Bool) {
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

    func send(_ response: HTTPServerResponse, for stream: HTTP2Stream) {
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
    func canOpenTunnel(_ head: HTTPResponse, for stream: HTTP2Stream) -> Bool {
        stream.isExtendedConnect && head.status.kind == .successful
    }

    /// HEAD, 1xx, 204 and 304 carry no content (RFC 9110 §6.4.1).
    func bodyAllowed(_ head: HTTPResponse, for stream: HTTP2Stream) -> Bool {
        let code = head.status.code
        return stream.request.method != .head && code != 204 && code != 304 && !(100..<200).contains(code)
    }

    /// Submits the response head; `length` (when known) becomes Content-Length.
    func submit(
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
    func resetTunnel(_ stream: HTTP2Stream) {
        guard !stream.tunnelReset else { return }
        stream.tunnelReset = true
        let error = HTTP2StreamResetError(code: NGHTTP2_CANCEL.rawValue)
        if !stream.requestComplete { stream.bodySource?.fail(error) }
        stream.body.fail(error)
        stream.body.ended = true
        session.resetStream(stream.id, errorCode: NGHTTP2_CANCEL.rawValue)
    }

    // MARK: - Records

    func record(_ stream: HTTP2Stream) {
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
