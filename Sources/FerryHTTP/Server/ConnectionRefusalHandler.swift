import NIOCore

/// Answers a connection over the limit with a 503 and closes it, instead of leaving the client
/// hanging in the accept queue.
final class ConnectionRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let response = Array(
        ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Retry-After: 1\r\nContent-Length: 29\r\nConnection: close\r\n\r\nToo many connections; retry.\n").utf8)

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Self.response.count)
        buffer.writeBytes(Self.response)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
