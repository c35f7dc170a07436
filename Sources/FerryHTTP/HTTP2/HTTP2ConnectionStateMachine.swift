/// The state of one HTTP/2 connection around nghttp2, without any I/O: whether it serves, is
/// shutting down or is closed, and when its pump (serialise what nghttp2 queued, write, flush)
/// runs. Events go in (a read, the end of a read burst, work arriving between reads, the channel's
/// writability, a GOAWAY or the end of the client's input, a server shutdown, its grace elapsing);
/// the answers say what the handler must do (pump now, schedule one pump, close).
///
/// nghttp2 keeps the protocol's own state (streams, windows, frames); this keeps the decisions of
/// the glue around it, so they are tested without a channel (`HTTP2ConnectionStateMachineTests`).
/// A value type of plain fields, mutated in place by `HTTP2ConnectionHandler` on its event loop.
struct HTTP2ConnectionStateMachine {
    enum Phase: Equatable {
        /// Serving.
        case open
        /// The server's shutdown notice (a GOAWAY with the last stream id 2³¹−1) is out; the final
        /// GOAWAY follows after a round trip's grace.
        case noticeSent
        /// Nothing new will be served (the client sent GOAWAY or ended its input, a protocol error
        /// queued our GOAWAY, the final GOAWAY of a shutdown is out): close once no stream is left.
        /// `noticeSent` keeps a shutdown from announcing itself twice.
        case finishing(noticeSent: Bool)
        /// Closing or closed: nothing is read, pumped or answered any more.
        case closed
    }

    /// What to do when the client ends its input (a half-close).
    enum InputClosedAction: Equatable {
        /// Already closing: the client has now closed its side too, so the channel can go.
        case closeChannel
        /// No stream is open: close as usual (flush, then close).
        case close
        /// Streams are open: answer what the client asked, then close.
        case finishStreams
    }

    private(set) var phase: Phase = .open
    /// Inside a read burst: its end pumps, so work arriving meanwhile needs no pump of its own.
    private var reading = false
    /// A pump is queued on the event loop for the current tick.
    private var pumpScheduled = false
    /// A pump found the channel not writable: the next writability change pumps.
    private var blockedOnWritability = false

    var isClosed: Bool { phase == .closed }

    // MARK: - Reading and pumping

    /// A read arrived. False: the connection is closing and the bytes are dropped (draining the
    /// input after our GOAWAY, so the kernel does not answer unread input with RST).
    mutating func readStarted() -> Bool {
        guard !isClosed else { return false }
        reading = true
        return true
    }

    /// The read burst ended; the handler pumps next.
    mutating func readCompleted() {
        reading = false
    }

    /// Work arrived between reads (a response, a chunk, a body read, a reset). True: queue one
    /// pump for this loop tick; false: a pump already will run (queued, or the read burst's end).
    mutating func pumpRequested() -> Bool {
        guard !pumpScheduled, !reading, !isClosed else { return false }
        pumpScheduled = true
        return true
    }

    /// The queued pump is running.
    mutating func scheduledPumpStarted() {
        pumpScheduled = false
    }

    /// A pump is about to run. False: skip it (closed, or the channel cannot take more, in which
    /// case the next writability change pumps).
    mutating func pumpStarting(channelWritable: Bool) -> Bool {
        guard !isClosed else { return false }
        guard channelWritable else {
            blockedOnWritability = true
            return false
        }
        return true
    }

    /// The channel's writability changed. True: pump now (a pump was held back).
    mutating func writabilityChanged(writable: Bool) -> Bool {
        guard writable, blockedOnWritability else { return false }
        blockedOnWritability = false
        return true
    }

    /// After a pump: close when nghttp2 failed or has nothing left to read or write, or when the
    /// connection is finishing and its last stream ended.
    func closesAfterPump(failed: Bool, sessionWantsIO: Bool, streamsEmpty: Bool) -> Bool {
        if failed || !sessionWantsIO { return true }
        if case .finishing = phase { return streamsEmpty }
        return false
    }

    // MARK: - Ending

    /// Nothing new will be served from now on (see `Phase.finishing`).
    mutating func finishStreams() {
        switch phase {
        case .open: phase = .finishing(noticeSent: false)
        case .noticeSent: phase = .finishing(noticeSent: true)
        case .finishing, .closed: break
        }
    }

    /// The client ended its input.
    mutating func inputClosed(streamsEmpty: Bool) -> InputClosedAction {
        if isClosed { return .closeChannel }
        if streamsEmpty { return .close }
        finishStreams()
        return .finishStreams
    }

    /// A server shutdown or the idle timeout. True: send the shutdown notice and pump, then call
    /// `shutdownGraceElapsed` after the grace.
    mutating func shutdownRequested() -> Bool {
        switch phase {
        case .open:
            phase = .noticeSent
            return true
        case .finishing(noticeSent: false):
            phase = .finishing(noticeSent: true)
            return true
        case .noticeSent, .finishing(noticeSent: true), .closed:
            return false
        }
    }

    /// The shutdown's grace is over. True: send the final GOAWAY and pump; the connection closes
    /// once its streams end.
    mutating func shutdownGraceElapsed() -> Bool {
        guard !isClosed else { return false }
        phase = .finishing(noticeSent: true)
        return true
    }

    /// The connection closes (an orderly close after a flush, a fatal error, the channel gone).
    /// False: it already was.
    mutating func closing() -> Bool {
        guard !isClosed else { return false }
        phase = .closed
        return true
    }
}
