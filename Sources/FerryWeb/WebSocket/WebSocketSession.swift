import FerryHTTP
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// Runs one WebSocket session over a tunnel: a reader (this task) turns bytes into checked
/// messages for the handler and answers control frames, the socket's queue is written to the
/// tunnel one batch at a time (``WebSocketOutbox``: by the sender of a frame that finds it idle,
/// then from each write's completion), and a timer task keeps liveness (pings, pong and close
/// deadlines).
enum WebSocketSession {
    static func run(tunnel: HTTPTunnel, socket: WebSocket, handler: any WebSocketHandler) async {
        socket.attach(tunnel)
        let timer = startTimer(tunnel: tunnel, socket: socket)
        await handler.opened(socket)
        await readLoop(tunnel: tunnel, socket: socket, handler: handler)
        // What is queued (a close answer) still goes out; the timer drops a client that does not
        // take it within the close timeout.
        socket.withState { $0.drainingSince = .now }
        socket.finishOutbound()
        await socket.outbox.drained()
        timer.cancel()
        let code: WebSocketCloseCode? = socket.withState { state in
            if state.phase == .dropped { return state.closeCode == .policyViolation ? .policyViolation : nil }
            state.phase = .closed
            return state.closeCode
        }
        await handler.closed(socket, code: code)
    }

    // MARK: - Reading

    private static func readLoop(tunnel: HTTPTunnel, socket: WebSocket, handler: any WebSocketHandler) async {
        let reader = WebSocketFrameReader(configuration: socket.configuration)
        do {
            for try await bytes in tunnel.inbound {
                let (frames, violation) = reader.read(bytes)
                for frame in frames {
                    switch handle(frame, socket: socket) {
                    case .deliver(let message):
                        await handler.received(message, on: socket)
                    case .ignore:
                        break
                    case .finished:
                        return
                    }
                }
                if let violation {
                    fail(socket, violation)
                    return
                }
            }
        } catch {
            // The transport ended (closed, aborted, reset): nothing more to read.
        }
        socket.drop()
    }

    private enum FrameOutcome {
        case deliver(WebSocketMessage)
        case ignore
        case finished
    }

    private static func handle(_ frame: WebSocketFrame, socket: WebSocket) -> FrameOutcome {
        let closing = socket.withState { state in
            // A data message proves the client alive as a pong would. Its pong may be late
            // without that meaning anything: when the handler holds reading back (a relay waiting
            // for its receiver), the pong waits behind the client's earlier messages.
            if frame.opcode == .binary || frame.opcode == .text || frame.opcode == .continuation {
                state.pingSentAt = nil
            }
            return state.phase != .open
        }
        switch frame.opcode {
        case .text:
            guard !closing else { return .ignore }
            guard frame.length <= socket.configuration.maxTextMessageSize else {
                return fail(socket, WebSocketViolation.tooBig("text message too large"))
            }
            let data = frame.unmaskedData
            guard let text = String(validating: data.readableBytesView, as: UTF8.self) else {
                return fail(socket, WebSocketViolation(code: .invalidData, reason: "invalid UTF-8"))
            }
            return .deliver(.text(text))
        case .binary:
            guard !closing else { return .ignore }
            guard frame.length <= socket.configuration.maxBinaryMessageSize else {
                return fail(socket, WebSocketViolation.tooBig("binary message too large"))
            }
            return .deliver(.binary(WebSocketBinary(frame.unmaskedData)))
        case .ping:
            let flood = socket.withState { state in
                state.pingsReceived += 1
                return state.pingsReceived > socket.configuration.maxPingsPerInterval
            }
            if flood {
                return fail(socket, WebSocketViolation(code: .policyViolation, reason: "too many pings"))
            } else if !closing {
                socket.enqueueControl(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
            }
            return .ignore
        case .pong:
            socket.withState { $0.pingSentAt = nil }
            return .ignore
        case .connectionClose:
            return closeReceived(frame, socket: socket)
        default:
            return .ignore  // the reader lets no other opcode through
        }
    }

    /// The client's close frame: checked (RFC 6455 §5.5.1, §7.4), answered if we did not close
    /// first, and then the session is over once our close frame is written.
    private static func closeReceived(_ frame: WebSocketFrame, socket: WebSocket) -> FrameOutcome {
        var payload = frame.unmaskedData
        var answer = WebSocketCloseCode.normal
        var received: WebSocketCloseCode?
        if payload.readableBytes == 1 {
            answer = .protocolError
        } else if let raw = payload.readInteger(as: UInt16.self) {
            let code = WebSocketCloseCode(rawValue: raw)
            received = code
            if !code.isValidOnTheWire {
                answer = .protocolError
            } else if String(validating: payload.readableBytesView, as: UTF8.self) == nil {
                answer = .invalidData
            } else {
                answer = code
            }
        }
        let weClosedFirst = socket.withState { state in
            switch state.phase {
            case .closeSent:
                state.phase = .closed
                return true
            default:
                state.phase = .closeReceived
                state.closeCode = received ?? answer
                return false
            }
        }
        if !weClosedFirst {
            socket.enqueueControl(WebSocketFrameWriter.closeFrame(answer, reason: ""))
        }
        socket.finishOutbound()
        return .finished
    }

    /// Fails the connection (RFC 6455 §7.1.7): a close frame with the violation's code, then the
    /// connection ends without waiting for an answer: after a broken frame the rest of the byte
    /// stream cannot be parsed.
    @discardableResult
    private static func fail(_ socket: WebSocket, _ error: any Error) -> FrameOutcome {
        let violation = error as? WebSocketViolation ?? .protocolError("malformed frame")
        socket.close(violation.code, reason: violation.reason)
        return .finished
    }

    // MARK: - Writing

    /// Most payload bytes the writer puts in one tunnel write (one frame may be larger).
    static let maxBatchBytes = 256 * 1024
    /// Payloads from this size on are not copied into the batch: they go as buffers of their own
    /// behind their header, in the same gathering write.
    static let copyLimit = 1024

    /// A batch as the buffers of one tunnel write, and the bytes it counts for against the queue:
    /// small frames encoded into one buffer, large payloads as they are (header and payload side
    /// by side, one `writev`).
    static func encode(_ batch: [WebSocket.Outbound]) -> (buffers: [ByteBuffer], counted: Int) {
        var copied = 0
        var counted = 0
        for item in batch {
            let length = item.frame.length
            copied += WebSocketFrameWriter.headerSize(payload: length) + (length < copyLimit ? length : 0)
            if item.frame.opcode != .connectionClose, item.frame.opcode != .ping, item.frame.opcode != .pong {
                counted += item.count
            }
        }
        var buffers: [ByteBuffer] = []
        var bytes = ByteBuffer()
        bytes.reserveCapacity(copied)
        for item in batch {
            if item.frame.length < copyLimit {
                WebSocketFrameWriter.encode(item.frame, into: &bytes)
            } else {
                WebSocketFrameWriter.encodeHeader(item.frame, into: &bytes)
                buffers.append(bytes)
                buffers.append(item.frame.data)
                bytes = ByteBuffer()
            }
        }
        if bytes.readableBytes > 0 { buffers.append(bytes) }
        return (buffers, counted)
    }

    // MARK: - Liveness

    /// Wakes at the shorter of the ping interval and the close timeout (a timer of the tunnel's
    /// event loop): sends pings, drops a client whose pong is overdue or whose close answer is,
    /// and resets the ping-flood count.
    private static func startTimer(tunnel: HTTPTunnel, socket: WebSocket) -> TunnelTimer {
        let configuration = socket.configuration
        let tick = min(configuration.pingInterval, configuration.pongTimeout, configuration.closeTimeout)
        let sinceLastPing = NIOLockedValueBox(Duration.zero)
        return tunnel.repeatEvery(tick) {
            let sincePing = sinceLastPing.withLockedValue { since in
                since += tick
                return since
            }
            let now = ContinuousClock.now
            let verdict: TimerVerdict = socket.withState { state in
                if sincePing >= configuration.pingInterval { state.pingsReceived = 0 }
                if let since = state.drainingSince {
                    return now - since >= configuration.closeTimeout ? .drop : .wait
                }
                switch state.phase {
                case .closeSent(let at) where now - at >= configuration.closeTimeout:
                    return .drop
                case .open:
                    if let sent = state.pingSentAt, now - sent >= configuration.pongTimeout { return .drop }
                    if state.pingSentAt == nil, sincePing >= configuration.pingInterval {
                        state.pingSentAt = now
                        return .ping
                    }
                    return .wait
                case .closed, .dropped:
                    return .stop
                default:
                    return .wait
                }
            }
            if sincePing >= configuration.pingInterval { sinceLastPing.withLockedValue { $0 = .zero } }
            socket.resumeWaiters(now: now)
            switch verdict {
            case .drop:
                socket.drop()
                return false
            case .ping:
                socket.enqueueControl(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "ferry")))
                return true
            case .wait:
                return true
            case .stop:
                return false
            }
        }
    }

    private enum TimerVerdict { case drop, ping, wait, stop }
}
