import HTTPTypes
import NIOCore

extension HTTP1ConnectionHandler {
    /// The `Upgrade: h2c` a request asks for, when cleartext HTTP/2 is on and the request
    /// qualifies (HTTP/1.1, no body, a valid `HTTP2-Settings`).
    func h2cUpgrade(for head: HTTP1RequestHead) -> HTTP2ConnectionHandler.Upgrade? {
        guard configuration.http2Cleartext, !connectionInfo.isSecure, head.framing == .none, head.minorVersion == 1,
            head.request.headerFields[.upgrade] != nil
        else { return nil }
        return H2CUpgrade.upgrade(for: head.request)
    }

    /// Answers `Upgrade: h2c` with 101 and hands the request to HTTP/2 as stream 1.
    func answerH2CUpgrade(_ upgrade: HTTP2ConnectionHandler.Upgrade) {
        var buffer = context.channel.allocator.buffer(capacity: H2CUpgrade.switchingProtocols.count)
        buffer.writeBytes(H2CUpgrade.switchingProtocols)
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        switchToHTTP2(upgrade: upgrade)
    }

    /// Hands the connection to an HTTP/2 handler: after the preface (prior knowledge) or after
    /// answering `Upgrade: h2c` with 101.
    func switchToHTTP2(upgrade: HTTP2ConnectionHandler.Upgrade?) {
        let http2 = HTTP2ConnectionHandler(
            responder: responder, configuration: configuration, isSecure: connectionInfo.isSecure, upgrade: upgrade)
        _ = switchProtocol(to: http2)
    }

    /// The one protocol switch: `next` goes into the pipeline after this handler, inherits the
    /// bytes already read (they belong to the new protocol), a pending read and a closed input,
    /// and this handler leaves. False when the connection was closed instead.
    func switchProtocol(to next: any ChannelHandler) -> Bool {
        guard !machine.isClosed else { return false }
        do {
            try context.pipeline.syncOperations.addHandler(next, position: .after(self))
        } catch {
            close()
            return false
        }
        guard let handover = machine.switchProtocol() else { return false }
        timer?.cancel()
        timer = nil
        // The exchange (if any) now belongs to the new handler: removing this one must not fail
        // its body or cancel its task.
        exchange = nil
        let leftover = cumulation
        cumulation = emptyBuffer
        let context = self.context!
        if leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
            // Outside a read burst nothing else would end this one for the new handler.
            if !handover.inReadBurst { context.fireChannelReadComplete() }
        }
        if handover.inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if handover.readPending { context.channel.read() }
        return true
    }

    /// Opens a tunnel for an `Upgrade` request whose responder answered 101 with
    /// ``HTTPResponseBody/tunnel(_:)``: writes the head, then switches the connection to an
    /// ``HTTP1TunnelHandler``, which this handler forwards the owner's writes, finish and abort to.
    ///
    /// A tunnel answer to anything else (no `Upgrade`, HTTP/1.0, a request body, a status other
    /// than 101) is a programming error of the layer above and gets 500: the client asked for
    /// no switch, or the engine cannot hand over a byte stream still carrying a request body.
    func startTunnel(_ head: HTTPResponse, exchangeID: UInt64) -> HTTPRequestBody? {
        guard let exchange, exchange.id == exchangeID else { return nil }
        let upgradeRequested =
            exchange.head.minorVersion == 1 && exchange.head.request.headerFields[.upgrade] != nil
            && head.status.code == 101
        switch machine.tunnelRequested(exchangeID: exchangeID, upgradeRequested: upgradeRequested) {
        case .ignore:
            return nil
        case .refuse:
            send(HTTPServerResponse(status: .internalServerError), for: exchange)
            flushIfNeeded()
            return nil
        case .accept:
            break
        }
        exchange.sentHead = head
        var buffer = context.channel.allocator.buffer(capacity: 256)
        HTTP1ResponseEncoder.encodeSwitchingProtocols(head, connectionFields: connectionFields, into: &buffer)
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        context.flush()
        let tunnel = HTTP1TunnelHandler(
            idleTimeout: configuration.tunnelIdleTimeout, highWatermark: configuration.requestBodyHighWatermark,
            eventLoop: context.eventLoop)
        let inbound = tunnel.makeInbound()
        tunnel.task = exchange.task
        record(exchange)
        guard switchProtocol(to: tunnel) else { return nil }
        self.tunnel = tunnel
        tunnelExchangeID = exchangeID
        return inbound
    }
}
