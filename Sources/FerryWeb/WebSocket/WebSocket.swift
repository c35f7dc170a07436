import FerryHTTP
import NIOCore
import NIOWebSocket
import Synchronization

/// One WebSocket session (RFC 6455) over a tunnel, as the layer above sees it: it sends messages
/// and closes; what arrives goes to its ``WebSocketHandler``.
///
/// Sending never waits: messages are queued and written in batches, at most one write in flight
/// (``WebSocketOutbox``), and counted. A client that lets
/// more than ``WebSocketConfiguration/maxQueuedOutboundBytes`` pile up is a slow consumer and is
/// dropped, so a fan-out to thousands of sockets never buffers without bound behind one of them.
public final class WebSocket: Sendable {
    /// The subprotocol agreed in the handshake.
    public let subprotocol: String?
    let configuration: WebSocketConfiguration
    let outbox = WebSocketOutbox(maxBatchBytes: WebSocketSession.maxBatchBytes)
    private let state = Mutex(SessionState())
    private let tunnel: Mutex<HTTPTunnel?> = Mutex(nil)

    /// One queued frame and the bytes it counts for.
    struct Outbound: Sendable {
        var frame: WebSocketFrame
        var count: Int
    }

    init(subprotocol: String?, configuration: WebSocketConfiguration) {
        self.subprotocol = subprotocol
        self.configuration = configuration
    }

    /// Queues a text message; false when the socket is closing or closed (or was just dropped
    /// as a slow consumer).
    @discardableResult
    public func send(_ text: String) -> Bool {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return enqueue(WebSocketFrame(fin: true, opcode: .text, data: buffer))
    }

    /// Queues a binary message; false when the socket is closing or closed.
    @discardableResult
    public func send(_ binary: WebSocketBinary) -> Bool {
        enqueue(WebSocketFrame(fin: true, opcode: .binary, data: binary.buffer))
    }

    /// Queues a binary message once at most `mark` bytes are queued ahead of it, waiting while
    /// more are, up to `timeout` (checked on the liveness timer's tick, so it may run over by up
    /// to a tick); then it is queued whatever the queue holds, and the slow-consumer rule
    /// applies. A forwarder that awaits this passes the client's reading pace back to its own
    /// source. False when the socket is closing or closed.
    public func send(_ binary: WebSocketBinary, queuedAtMost mark: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { state -> Bool in
                guard state.phase == .open, state.queuedBytes > mark else { return false }
                state.roomWaiters.append(.init(mark: mark, deadline: deadline, continuation: continuation))
                return true
            }
            if !wait { continuation.resume() }
        }
        return send(binary)
    }

    /// Starts the closing handshake: a close frame is queued behind what is queued already, no
    /// further message is sent, and the client gets ``WebSocketConfiguration/closeTimeout`` to
    /// answer before the connection is dropped.
    public func close(_ code: WebSocketCloseCode = .normal, reason: String = "") {
        let first = state.withLock { state in
            guard state.phase == .open else { return false }
            state.phase = .closeSent(at: .now)
            state.closeCode = code
            return true
        }
        guard first else { return }
        resumeWaiters()
        let frame = WebSocketFrameWriter.closeFrame(code, reason: reason)
        push(Outbound(frame: frame, count: frame.length))
    }

    /// Bytes queued and not yet written to the tunnel.
    public var queuedBytes: Int { state.withLock { $0.queuedBytes } }

    private func enqueue(_ frame: WebSocketFrame) -> Bool {
        let count = frame.length
        let limit = configuration.maxQueuedOutboundBytes
        let verdict: EnqueueVerdict = state.withLock { state in
            guard state.phase == .open else { return .refused }
            if state.queuedBytes + count > limit {
                state.phase = .dropped
                state.closeCode = .policyViolation
                return .slowConsumer
            }
            state.queuedBytes += count
            return .queued
        }
        switch verdict {
        case .queued:
            push(Outbound(frame: frame, count: count))
            return true
        case .refused:
            return false
        case .slowConsumer:
            // The client is not reading; a close frame would wait behind the very bytes it does
            // not read, so the connection is dropped at once.
            drop()
            return false
        }
    }

    private enum EnqueueVerdict { case queued, refused, slowConsumer }

    // MARK: - Used by the session runner

    func attach(_ tunnel: HTTPTunnel) {
        self.tunnel.withLock { $0 = tunnel }
        if let batch = outbox.start() { write(batch) }
    }

    /// Ends the connection at once, without a closing handshake.
    func drop() {
        state.withLock { state in
            if state.phase != .dropped, state.phase != .closed { state.phase = .dropped }
        }
        resumeWaiters()
        outbox.finish()
        tunnel.withLock { $0 }?.close()
    }

    /// A frame was written: its bytes no longer count against the queue.
    func written(_ count: Int) {
        let ready = state.withLock { state in
            state.queuedBytes -= count
            return state.readyWaiters()
        }
        for waiter in ready { waiter.resume() }
    }

    /// Lets go the senders waiting for room that may go on (all, once the socket is not open;
    /// with `now`, also those past their deadline).
    func resumeWaiters(now: ContinuousClock.Instant? = nil) {
        let ready = state.withLock { $0.readyWaiters(now: now) }
        for waiter in ready { waiter.resume() }
    }

    /// Queues a control frame (pong, ping, the answer to a close) even while closing.
    func enqueueControl(_ frame: WebSocketFrame) {
        push(Outbound(frame: frame, count: frame.length))
    }

    /// Queues a frame, and writes it at once when no write is in flight.
    private func push(_ item: Outbound) {
        if let batch = outbox.push(item) { write(batch) }
    }

    /// Hands a batch to the tunnel; its completion (on the event loop) counts the bytes written
    /// and writes what was queued meanwhile, so a busy socket is drained by its event loop.
    private func write(_ batch: [Outbound]) {
        guard let outbound = tunnel.withLock({ $0 })?.outbound else {
            outbox.failed()
            return
        }
        let (buffers, counted) = WebSocketSession.encode(batch)
        outbound.startWrite(contentsOf: buffers) { [self] error in
            if error != nil {
                drop()
                outbox.failed()
                return
            }
            written(counted)
            // Written: large binary messages leave their storage for the next ones read.
            for item in batch where item.frame.opcode == .binary {
                WebSocketBufferPool.shared.give(item.frame.data)
            }
            if let next = outbox.written() { write(next) }
        }
    }

    func finishOutbound() {
        outbox.finish()
        resumeWaiters()
    }

    func withState<Result>(_ body: (inout SessionState) -> Result) -> Result {
        state.withLock { body(&$0) }
    }
}
