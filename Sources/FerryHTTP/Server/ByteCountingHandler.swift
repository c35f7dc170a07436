import NIOCore

/// The first handler of every accepted connection's pipeline, next to the socket: adds the size of
/// each read and each write to the server's ``NetworkTraffic``.
///
/// Being in front of TLS it counts ciphertext, and since protocol switches (h2c, WebSocket) swap
/// only the handlers behind it, it counts a connection's bytes from accept to close whatever the
/// connection becomes.
final class ByteCountingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let traffic: NetworkTraffic

    init(traffic: NetworkTraffic) {
        self.traffic = traffic
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        traffic.addReceived(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .byteBuffer(let buffer): traffic.addSent(buffer.readableBytes)
        case .fileRegion(let region): traffic.addSent(region.readableBytes)
        }
        context.write(data, promise: promise)
    }
}
