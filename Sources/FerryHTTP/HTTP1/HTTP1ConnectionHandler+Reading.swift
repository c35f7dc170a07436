import HTTPTypes
import NIOCore

extension HTTP1ConnectionHandler {
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        machine.bytesRead(now: .now())
        if cumulation.readableBytes == 0 {
            cumulation = incoming
        } else {
            cumulation.writeBuffer(&incoming)
        }
        if machine.mayBeHTTP2Preface {
            switch HTTP2Preface.match(cumulation) {
            case .complete:
                switchToHTTP2(upgrade: nil)
                return
            case .partial:
                return  // wait for the rest of the 24 bytes
            case .no:
                machine.prefaceRuledOut()
            }
        }
        processInput()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if machine.readBurstEnded() { context.flush() }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if machine.readRequested() { context.read() }
    }

    func resumeReading() {
        if machine.resumeReading() { context.read() }
    }

    func processInput() {
        guard !isProcessing else { return }
        isProcessing = true
        defer { isProcessing = false }
        while machine.wantsParse {
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
        let partialHead = !parser.isIdle || cumulation.readableBytes > 0
        if machine.inputProcessed(partialHead: partialHead, now: .now()) { close() }
        armTimer()
    }

    func startExchange(_ head: HTTP1RequestHead) {
        if let upgrade = h2cUpgrade(for: head) {
            answerH2CUpgrade(upgrade)
            return
        }
        let hasBody: Bool
        let bodyDiscardable: Bool
        switch head.framing {
        case .none, .contentLength(0):
            hasBody = false
            bodyDiscardable = true
        case .contentLength(let length):
            hasBody = true
            bodyDiscardable = length <= configuration.maxDiscardedBodyBytes
        default:
            hasBody = true
            bodyDiscardable = false
        }
        let id = machine.requestHeadReceived(
            hasBody: hasBody, expectsContinue: head.expectsContinue, keepAlive: head.keepAlive,
            bodyDiscardable: bodyDiscardable)
        var source: RequestBodySource?
        if hasBody {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            source = RequestBodySource(highWatermark: configuration.requestBodyHighWatermark) {
                eventLoop.execute { loopBound.value.bodyDemanded(id) }
            }
        }
        let exchange = Exchange(id: id, head: head, start: machine.lastActivity, bodySource: source)
        self.exchange = exchange
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
            exchange.task = ExchangeTasks.spawnHandler(
                work, exchangeID: id, driver: loopBound, eventLoop: eventLoop,
                ownerOnEventLoop: configuration.tunnelOwnerOnEventLoop)
        }
    }

    func receiveBody(_ buffer: ByteBuffer) {
        guard let exchange else { return }
        switch machine.bodyPartReceived(count: buffer.readableBytes) {
        case .deliver:
            if let source = exchange.bodySource, !source.yield(buffer) {
                machine.bodyBackpressure()
            }
        case .discard:
            break
        case .close:
            close()
        }
    }

    func endOfRequest() {
        guard case .finishBody(let then) = machine.requestEnded(now: .now()) else { return }
        exchange?.bodySource?.finish()
        if let then { exchangeEnded(then) }
    }

    /// Performs what follows a finished exchange.
    func exchangeEnded(_ next: HTTP1ConnectionStateMachine.ExchangeEnd) {
        exchange = nil
        switch next {
        case .close:
            close()
        case .next(let read):
            if read { context.read() }
            if !isProcessing {
                processInput()
            }
        }
    }

    /// The handler read from an empty body buffer or drained a full one.
    func bodyDemanded(_ id: UInt64) {
        guard let exchange, exchange.id == id, !machine.isClosed else { return }
        guard
            let action = machine.bodyDemanded(
                exchangeID: id, now: .now(), wantsMore: { exchange.bodySource?.wantsMore ?? true })
        else { return }
        if action.sendContinue {
            var buffer = context.channel.allocator.buffer(capacity: HTTP1ResponseEncoder.continueResponse.count)
            buffer.writeBytes(HTTP1ResponseEncoder.continueResponse)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        if action.read { context.read() }
        armTimer()
    }
}
