public import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
import NIOSSL
import NIOTLS

/// Listens on a TCP socket and serves every accepted connection: HTTP/1.1, HTTP/2 over cleartext
/// (prior knowledge or `Upgrade: h2c`), or — with a ``TLSContextProvider`` — TLS with ALPN choosing
/// `h2` or `http/1.1`.
///
/// `run()` serves until `shutdownGracefully()` is called (by a signal handler or a test): it stops
/// accepting, lets in-flight exchanges finish within the drain time, then closes what is left.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let responder: any HTTPResponder
    /// The TLS context source; nil serves cleartext.
    public let tls: TLSContextProvider?
    private let group: any EventLoopGroup
    private let logger: Logger
    private let tracker = ConnectionTracker()
    /// Bytes read from and written to this server's client sockets.
    public let traffic: NetworkTraffic
    private let state = NIOLockedValueBox<State>(.idle)

    private enum State {
        case idle
        case listening(any Channel)
        case stopped
    }

    public init(
        configuration: HTTPServerConfiguration,
        responder: any HTTPResponder,
        tls: TLSContextProvider? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "ferry.http"),
        traffic: NetworkTraffic = NetworkTraffic()
    ) {
        self.configuration = configuration
        self.traffic = traffic
        self.responder = responder
        self.tls = tls
        self.group = group
        self.logger = logger
    }

    /// Binds the listening socket and returns the address it is bound to (the real port when
    /// the configuration asked for port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let configuration = self.configuration
        let responder = self.responder
        let tracker = self.tracker
        let tls = self.tls
        let traffic = self.traffic
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.maxMessagesPerRead, value: UInt(configuration.maxAcceptsPerTick))
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                // At the front, before TLS and before any protocol handler, so that every byte of
                // every connection is counted once, whatever the connection turns into.
                do {
                    try channel.pipeline.syncOperations.addHandler(ByteCountingHandler(traffic: traffic))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                guard tracker.admit(channel, limit: configuration.maxConnections) else {
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ConnectionRefusalHandler())
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try Self.configureTLS(
                            channel, context: tls.current, responder: responder, configuration: configuration)
                    } else {
                        try channel.pipeline.syncOperations.addHandler(
                            HTTP1ConnectionHandler(responder: responder, configuration: configuration))
                    }
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        state.withLockedValue { $0 = .listening(channel) }
        guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        return address
    }

    /// TLS, then the protocol ALPN chose. A client that has not finished the handshake within the
    /// header-read timeout is disconnected: the handshake is part of sending a request head.
    private static func configureTLS(
        _ channel: any Channel, context: NIOSSLContext, responder: any HTTPResponder,
        configuration: HTTPServerConfiguration
    ) throws {
        let negotiated = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
        let timeout = channel.eventLoop.scheduleTask(in: configuration.headerReadTimeout) {
            if !negotiated.value { channel.close(promise: nil) }
        }
        channel.closeFuture.whenComplete { _ in timeout.cancel() }
        let alpn = ApplicationProtocolNegotiationHandler { result, channel in
            negotiated.value = true
            timeout.cancel()
            return channel.eventLoop.makeCompletedFuture {
                let handler: any ChannelHandler
                if case .negotiated("h2") = result {
                    handler = HTTP2ConnectionHandler(responder: responder, configuration: configuration, isSecure: true)
                } else {
                    handler = HTTP1ConnectionHandler(responder: responder, configuration: configuration, isSecure: true)
                }
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
        try channel.pipeline.syncOperations.addHandlers([NIOSSLServerHandler(context: context), alpn])
    }

    /// The number of open client connections.
    public var openConnections: Int { tracker.count }

    /// Stops accepting, waits up to the drain time for in-flight exchanges, then closes the rest.
    public func shutdownGracefully() async {
        let listening = state.withLockedValue { state -> (any Channel)? in
            defer { state = .stopped }
            if case .listening(let channel) = state { return channel }
            return nil
        }
        if let listening { try? await listening.close() }
        tracker.beginShutdown()
        let drainTime = configuration.shutdownDrainTime
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.tracker.waitUntilDrained() }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(max(0, drainTime.nanoseconds))) }
            await group.next()
            // Past the drain time (or drained): close the stragglers, which also ends the wait.
            tracker.closeAll()
            group.cancelAll()
        }
        logger.debug("HTTP server stopped")
    }
}
