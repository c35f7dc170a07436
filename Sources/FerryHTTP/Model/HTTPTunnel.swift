import NIOCore

/// A request's byte stream taken over by the responder: the answer to an HTTP/1.1 `Upgrade`
/// (after `101 Switching Protocols`) or to an HTTP/2 extended CONNECT (RFC 8441, after a 2xx).
///
/// The engine frames nothing: `inbound` yields the bytes the client sends, in order and with
/// backpressure, and ends when the client closes its side; `outbound` writes bytes to the client
/// and returns once they reached the socket. The tunnel's owner speaks the protocol inside (a
/// WebSocket) and keeps its own liveness (pings); the engine only ends a tunnel in which no byte
/// moved either way for ``HTTPServerConfiguration/tunnelIdleTimeout``. The body-read and
/// response-write timeouts of ordinary exchanges do not apply.
///
/// When the owner's closure returns, the tunnel ends cleanly (HTTP/1.1: the connection closes
/// after the written bytes; HTTP/2: the stream ends with END_STREAM). When it throws, or
/// ``close()`` is called, it ends at once (HTTP/1.1: the connection closes; HTTP/2: RST_STREAM),
/// and pending reads and writes fail.
public struct HTTPTunnel: Sendable {
    /// The client's bytes.
    public let inbound: HTTPRequestBody
    /// Bytes to the client.
    public let outbound: any HTTPBodyWriter
    private let abort: @Sendable () -> Void
    /// The connection's event loop, for the owner's timers; nil for tunnels made in tests.
    private let eventLoop: (any EventLoop)?

    public init(
        inbound: HTTPRequestBody, outbound: any HTTPBodyWriter, eventLoop: (any EventLoop)? = nil,
        abort: @escaping @Sendable () -> Void
    ) {
        self.inbound = inbound
        self.outbound = outbound
        self.eventLoop = eventLoop
        self.abort = abort
    }

    /// Calls `tick` every `interval` until it returns false or the returned task is cancelled: a
    /// timer of the connection's event loop, not a sleeping task. A server holding thousands of
    /// sockets then keeps thousands of entries in its loops' timer queues, and an idle socket
    /// costs no thread of the concurrency pool (on Linux a sleeping task's wake-up goes through
    /// Dispatch, whose idle worker threads exit and are made again). `tick` runs on the event
    /// loop: it must not block.
    public func repeatEvery(_ interval: Duration, _ tick: @escaping @Sendable () -> Bool) -> TunnelTimer {
        guard let eventLoop else {
            return TunnelTimer(
                task: Task {
                    while !Task.isCancelled {
                        guard (try? await Task.sleep(for: interval)) != nil, tick() else { return }
                    }
                })
        }
        let delay = TimeAmount(interval)
        return TunnelTimer(
            repeated: eventLoop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { task in
                if !tick() { task.cancel() }
            })
    }

    /// Ends the tunnel at once, failing pending reads and writes: for an owner that gives up on a
    /// peer that stopped reading or answering.
    public func close() {
        abort()
    }
}
