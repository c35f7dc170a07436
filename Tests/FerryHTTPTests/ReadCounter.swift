import NIOConcurrencyHelpers
import NIOCore

/// Counts the reads the handlers above let through to the socket.
final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = IOData
    let reads = NIOLockedValueBox(0)

    func read(context: ChannelHandlerContext) {
        reads.withLockedValue { $0 += 1 }
        context.read()
    }
}
