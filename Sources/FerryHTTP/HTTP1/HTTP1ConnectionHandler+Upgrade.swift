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

    func startTunnel(_ head: HTTPResponse, exchangeID: UInt64) -> HTTPRequestBody? {
        sendIfCurrent(HTTPServerResponse(status: .notImplemented), exchangeID: exchangeID)
        return nil
    }
}
