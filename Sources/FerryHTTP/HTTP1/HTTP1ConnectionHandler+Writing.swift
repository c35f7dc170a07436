import HTTPTypes
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HTTP1ConnectionHandler {
    static let fileSliceSize: Int64 = 1024 * 1024

    func noteRoute(_ route: String?, requestID: String?, exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID else { return }
        exchange.route = route
        exchange.requestID = requestID
    }

    func sendIfCurrent(_ response: HTTPServerResponse, exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID, !machine.isClosed else { return }
        send(response, for: exchange)
        flushIfNeeded()
    }

    func send(_ response: HTTPServerResponse, for exchange: Exchange) {
        exchange.route = response.route
        exchange.requestID = response.requestID
        switch response.body {
        case .tunnel, .stream:
            // Whether the request may become a tunnel is decided in `startTunnel`, for inline and
            // async answers alike.
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            exchange.task = ExchangeTasks.spawnBody(
                response, exchangeID: exchange.id, driver: loopBound, eventLoop: context.eventLoop,
                ownerOnEventLoop: configuration.tunnelOwnerOnEventLoop)
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
                writeSegments(segments, after: &buffer, exchange: exchange, lease: response.lease)
            } else {
                context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
            }
            completeResponse(exchange)
        }
    }

    func bodyFraming(
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
            machine.closeAfterResponse()
            return .untilClose
        }
        return .chunked
    }

    func writeHead(
        _ head: HTTPResponse,
        prepared: PreparedHead? = nil,
        framing: HTTP1ResponseEncoder.Framing,
        exchange: Exchange,
        into buffer: inout ByteBuffer,
        isStream: Bool = false
    ) {
        let (abandonBody, keepAlive) = machine.responseHeadStarting(isStream: isStream)
        if abandonBody { exchange.bodySource?.abandon() }
        exchange.sentHead = head
        HTTP1ResponseEncoder.encodeHead(
            head,
            prepared: prepared,
            framing: framing,
            keepAlive: keepAlive,
            http10: exchange.head.minorVersion == 0,
            date: dateCache.buffer(),
            connectionFields: connectionFields,
            into: &buffer
        )
    }

    func writeSegments(
        _ segments: [HTTPResponseBody.Segment], after head: inout ByteBuffer, exchange: Exchange, lease: ResponseLease?
    ) {
        var pending = head
        for segment in segments {
            switch segment {
            case .buffer(var bytes):
                exchange.bodyBytesSent += Int64(bytes.readableBytes)
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
                    try writeFile(path: path, offset: offset, count: count, exchange: exchange, lease: lease)
                } catch {
                    // The file vanished, or its lease ended, after the head promised its length:
                    // the response cannot be completed truthfully, so the connection is cut.
                    machine.closeAfterResponse()
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
    /// counts as write progress (a slow reader is fine, a reader that stops is not). All slices
    /// are queued at once; when `lease` has ended as one finishes, the connection is closed at
    /// once, which drops the slices still queued (a graceful close would send them first).
    /// Each slice written counts toward the exchange's body bytes.
    func writeFile(path: String, offset: Int64, count: Int64, exchange: Exchange, lease: ResponseLease? = nil) throws {
        // Ended before the first slice (revoked between the handler's check and now): nothing goes.
        if lease?.hasEnded == true { throw ResponseLeaseEnded() }
        let handle = try NIOFileHandle(_deprecatedPath: path)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let boundExchange = NIOLoopBound(exchange, eventLoop: eventLoop)
        setCorked(true)
        var start = offset
        let end = offset + count
        while start < end {
            let sliceEnd = min(end, start + Self.fileSliceSize)
            let region = FileRegion(fileHandle: handle, readerIndex: Int(start), endIndex: Int(sliceEnd))
            let promise = eventLoop.makePromise(of: Void.self)
            let isLast = sliceEnd == end
            let sliceLength = sliceEnd - start
            machine.writeStarted(now: .now())
            exchange.fileSlicesInFlight += 1
            promise.futureResult.whenComplete { result in
                let handler = loopBound.value
                handler.writeFinished()
                if case .success = result { boundExchange.value.bodyBytesSent += sliceLength }
                if isLast {
                    try? handle.close()
                } else if case .success = result, lease?.hasEnded == true {
                    handler.cutResponse()
                }
                handler.fileSliceFinished(boundExchange.value)
            }
            context.write(wrapOutboundOut(.fileRegion(region)), promise: promise)
            start = sliceEnd
        }
    }

    /// One of an exchange's file slices was written or dropped (the connection closed); after
    /// the last, a complete response is recorded.
    func fileSliceFinished(_ exchange: Exchange) {
        exchange.fileSlicesInFlight -= 1
        guard exchange.fileSlicesInFlight == 0, exchange.recordWhenFileSlicesFinish else { return }
        exchange.recordWhenFileSlicesFinish = false
        record(exchange)
    }

    /// A response's lease ended while its file slices were queued: the promised length cannot be
    /// kept, so the connection closes without sending what is still queued.
    func cutResponse() {
        guard let context, machine.closeRequested() else { return }
        timer?.cancel()
        context.close(promise: nil)
    }

    func writeFinished() {
        if machine.writeFinished(now: .now()) { setCorked(false) }
        armTimer()
    }

    /// TCP_CORK while file slices are queued, as nginx's `tcp_nopush`: the head and the file's
    /// first bytes leave in full segments instead of a small head segment first (about 15% more
    /// 1 MiB responses per second on loopback). Released when the last slice is written, which
    /// sends any partial segment at once.
    func setCorked(_ on: Bool) {
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
        guard let exchange, exchange.id == exchangeID, !machine.isClosed, machine.exchange?.responseHeadSent == false
        else { return false }
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
        if let tunnel, exchangeID == tunnelExchangeID { return tunnel.write(data) }
        guard let exchange, exchange.id == exchangeID, !machine.isClosed else {
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
        machine.writeStarted(now: .now())
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

    func writeStreamChunks(_ data: [ByteBuffer], exchangeID: UInt64) -> EventLoopFuture<Void> {
        // A tunnel's chunks go out in one flush (a gathering write); a body's one by one, each
        // through the checks and framing of `writeStreamChunk`.
        if let tunnel, exchangeID == tunnelExchangeID { return tunnel.write(data) }
        let futures = data.map { writeStreamChunk($0, exchangeID: exchangeID) }
        return EventLoopFuture.andAllSucceed(futures, on: eventLoop)
    }

    func finishStream(exchangeID: UInt64) {
        if let tunnel, exchangeID == tunnelExchangeID {
            tunnel.finish()
            return
        }
        guard let exchange, exchange.id == exchangeID, !machine.isClosed else { return }
        if let remaining = exchange.streamRemaining, remaining != 0 {
            // Shorter than declared: the client would wait for bytes that never come.
            abortStream(exchangeID: exchangeID)
            return
        }
        if machine.exchange?.requestComplete == false {
            exchange.bodySource?.abandon()
            machine.bodyAbandoned()
        }
        if exchange.streamFraming == .chunked {
            var buffer = context.channel.allocator.buffer(capacity: 5)
            buffer.writeStaticString(HTTP1ResponseEncoder.lastChunk)
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        completeResponse(exchange)
        flushIfNeeded()
    }

    func abortStream(exchangeID: UInt64) {
        if let tunnel, exchangeID == tunnelExchangeID {
            tunnel.abort()
            return
        }
        guard let exchange, exchange.id == exchangeID else { return }
        machine.closeAfterResponse()
        record(exchange)
        close()
    }

    func completeResponse(_ exchange: Exchange) {
        let action = machine.responseCompleted(now: .now())
        if exchange.fileSlicesInFlight > 0 {
            exchange.recordWhenFileSlicesFinish = true
        } else {
            record(exchange)
        }
        switch action {
        case .flushThenClose:
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: promise)
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            promise.futureResult.whenComplete { _ in loopBound.value.close() }
        case .finished(let next):
            exchangeEnded(next)
        case .discardRest(let read):
            armTimer()
            if read { context.read() }
        }
    }

    func flushIfNeeded() {
        guard context != nil, machine.flushIfNeeded() else { return }
        context.flush()
    }
}
