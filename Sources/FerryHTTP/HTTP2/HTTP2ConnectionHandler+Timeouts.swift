import CNghttp2
import HTTPTypes
import NIOCore

/// The connection's timers: idle, response write, request body read, tunnel idle.
extension HTTP2ConnectionHandler {
    // MARK: - Idle timeout

    func armIdleTimer() {
        guard let context, !isClosed, streams.isEmpty, idleTimer == nil else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: lastActivity + configuration.keepAliveIdleTimeout) {
            let handler = loopBound.value
            handler.idleTimer = nil
            guard handler.streams.isEmpty else { return }
            if handler.lastActivity + handler.configuration.keepAliveIdleTimeout > .now() {
                handler.armIdleTimer()
            } else {
                handler.beginGracefulClose()
            }
        }
    }

    // MARK: - Response-write timeout

    var hasResponsesInProgress: Bool { responsesInProgress > 0 }

    /// A tunnel is not a response in progress: a quiet WebSocket must not look like a stalled
    /// client, and its own idle timeout watches it.
    func responseStarted(_ stream: HTTP2Stream) {
        guard !stream.isTunnel else { return }
        if responsesInProgress == 0 { lastOutputProgress = .now() }
        responsesInProgress += 1
        armWriteTimer()
    }

    func responseFinished(_ stream: HTTP2Stream) {
        guard stream.responseHead != nil, !stream.responseComplete else { return }
        stream.responseComplete = true
        if stream.isTunnel { return }
        responsesInProgress -= 1
        lastOutputProgress = .now()
    }

    /// A client that stops reading, or grants no window, stalls every response in progress:
    /// when nothing has been sent for `responseWriteTimeout`, the connection is ended, as HTTP/1.1
    /// ends a connection whose writes make no progress.
    func armWriteTimer() {
        guard writeTimer == nil, !isClosed, let context, hasResponsesInProgress else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        writeTimer = context.eventLoop.scheduleTask(
            deadline: lastOutputProgress + configuration.responseWriteTimeout
        ) {
            loopBound.value.writeTimerFired()
        }
    }

    func writeTimerFired() {
        writeTimer = nil
        guard !isClosed, let context, hasResponsesInProgress else { return }
        guard lastOutputProgress + configuration.responseWriteTimeout <= .now() else {
            armWriteTimer()
            return
        }
        // Flushing would wait behind the very writes that stalled: GOAWAY best effort, then close.
        session.terminate(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
        pump()
        _ = machine.closing()
        context.close(promise: nil)
    }

    // MARK: - Body-read timeout

    /// One timer for the connection, at the earliest moment a stream's handler has waited
    /// `bodyReadTimeout` for body bytes the client does not send (a slowloris on HTTP/2). A
    /// stream whose handler is not reading is not timed: flow control stops the client then.
    func armBodyTimer() {
        guard bodyTimer == nil else { return }
        bodyTimer = scheduleStreamTimer(
            watching: \.isWaitingForClient, since: \.lastBodyActivity, timeout: configuration.bodyReadTimeout
        ) { $0.bodyTimerFired() }
    }

    func bodyTimerFired() {
        bodyTimer = nil
        let now = NIODeadline.now()
        for stream in streams.values
        where stream.isWaitingForClient && stream.lastBodyActivity + configuration.bodyReadTimeout <= now {
            // The handler's read fails with 408, as on HTTP/1.1; its answer ends the stream.
            stream.bodyTimedOut = true
            stream.bodySource?.fail(HTTPBodyError.readTimeout)
        }
        armBodyTimer()
    }

    // MARK: - Tunnel idle timeout

    /// One timer for the connection, at the earliest moment a tunnel has moved no byte either way
    /// for `tunnelIdleTimeout`. While a tunnel is open the connection's own idle timeout does not
    /// fire (the stream is open), so this is what ends a tunnel whose peer is gone.
    func armTunnelTimer() {
        guard tunnelTimer == nil else { return }
        tunnelTimer = scheduleStreamTimer(
            watching: \.isLiveTunnel, since: \.lastTunnelActivity, timeout: configuration.tunnelIdleTimeout
        ) { $0.tunnelTimerFired() }
    }

    func tunnelTimerFired() {
        tunnelTimer = nil
        let now = NIODeadline.now()
        var reset = false
        for stream in streams.values
        where stream.isLiveTunnel && stream.lastTunnelActivity + configuration.tunnelIdleTimeout <= now {
            // Only this stream: the connection and its other streams (and tunnels) go on.
            resetTunnel(stream)
            reset = true
        }
        if reset { schedulePump() }
        armTunnelTimer()
    }

    // MARK: - Timers over streams

    /// Schedules `fire` for `timeout` after the oldest `since` among the streams `watching`
    /// selects: one timer per connection however many streams it watches. Nil when the connection
    /// is closed or no stream is watched.
    func scheduleStreamTimer(
        watching watched: @escaping (HTTP2Stream) -> Bool, since activity: KeyPath<HTTP2Stream, NIODeadline>,
        timeout: TimeAmount, fire: @escaping @Sendable (HTTP2ConnectionHandler) -> Void
    ) -> Scheduled<Void>? {
        guard !isClosed, let context,
            let earliest = streams.values.lazy.filter(watched).map({ $0[keyPath: activity] }).min()
        else { return nil }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(deadline: earliest + timeout) { fire(loopBound.value) }
    }
}
