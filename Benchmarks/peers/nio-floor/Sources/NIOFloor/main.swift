// A fixed 1 KiB HTTP response for every request head, with no parsing: the NIO floor (see Package.swift).
import NIOCore
import NIOPosix

final class Fixed: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    static let body = [UInt8](repeating: 0x61, count: 1024)
    static let response: [UInt8] =
        Array(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1024\r\nDate: Wed, 25 Nov 2026 14:53:28 GMT\r\n\r\n"
                .utf8) + body
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        // A plain byte loop: `firstRange(of:)` is unspecialised generic code whose metadata lookups
        // cost more than the rest of the request, which made this "floor" far too high.
        let count = buffer.withUnsafeReadableBytes { bytes -> Int in
            var count = 0
            var i = 3
            while i < bytes.count {
                if bytes[i] == 10 && bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 { count += 1 }
                i += 1
            }
            return count
        }
        for _ in 0..<count {
            var out = context.channel.allocator.buffer(capacity: Self.response.count)
            out.writeBytes(Self.response)
            context.write(wrapOutboundOut(out), promise: nil)
        }
    }
    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }
}
let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.backlog, value: 1024).serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .serverChannelOption(.maxMessagesPerRead, value: 256)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Fixed()) }
    }
    .bind(host: "127.0.0.1", port: Int(CommandLine.arguments.dropFirst().first ?? "") ?? 8094).wait()
try channel.closeFuture.wait()
