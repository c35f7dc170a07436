import NIOCore

/// The state of one HTTP/1.1 connection, without any I/O: events go in (bytes parsed into a head,
/// body or end, a response head or completion, input closed, shutdown, a timer, a body read, a
/// finished write), and the answer says what the channel handler must do (read, flush, close,
/// fail the body, send 100 Continue, switch protocols…).
///
/// A value type of plain fields, mutated in place by the handler: no allocation, no boxing and no
/// closures per request. The handler keeps the objects an exchange needs (the head, the body
/// source, the task); this keeps every decision about them, so the rules are tested without a
/// channel (`HTTP1ConnectionStateMachineTests`).
struct HTTP1ConnectionStateMachine {
    /// The timeouts and the discard limit the connection enforces.
    struct Limits {
        var headerReadTimeout: TimeAmount
        var bodyReadTimeout: TimeAmount
        var keepAliveIdleTimeout: TimeAmount
        var responseWriteTimeout: TimeAmount
        var maxDiscardedBodyBytes: Int64

        init(_ configuration: HTTPServerConfiguration) {
            headerReadTimeout = configuration.headerReadTimeout
            bodyReadTimeout = configuration.bodyReadTimeout
            keepAliveIdleTimeout = configuration.keepAliveIdleTimeout
            responseWriteTimeout = configuration.responseWriteTimeout
            maxDiscardedBodyBytes = Int64(configuration.maxDiscardedBodyBytes)
        }
    }

    /// The progress of the one request/response exchange in flight.
    struct Exchange: Equatable {
        var id: UInt64
        /// The request is framed with a body (the handler holds a body source).
        var hasBody: Bool
        var expectsContinue: Bool
        /// The body's declared length is small enough to read and throw away if it goes unread.
        var bodyDiscardable: Bool
        var requestComplete: Bool
        var closeAfterResponse: Bool
        var responseHeadSent = false
        var responseComplete = false
        var continueSent = false
        /// Reading stopped because the body's consumer fell behind.
        var pausedForBody = false
        var discardedBytes: Int64 = 0
    }

    enum State: Equatable {
        /// Between exchanges; `headStart` is when the bytes of a partial head began to arrive.
        case idle(headStart: NIODeadline?)
        case exchange(Exchange)
        /// The connection went on as another protocol (HTTP/2, a tunnel); its handler owns it.
        case switched
        case closed
    }

    enum TimeoutKind: Equatable { case idle, head, body, write }

    /// What follows the end of an exchange.
    enum ExchangeEnd: Equatable {
        case close
        /// Parse the next request; `read` asks for the read held back while the exchange ran.
        case next(read: Bool)
    }

    /// What to do with a piece of request body.
    enum BodyPartAction: Equatable {
        /// Give it to the body's consumer.
        case deliver
        /// The response is complete: the bytes are read and thrown away.
        case discard
        /// More than the discard limit arrived after the response: give up on the connection.
        case close
    }

    enum RequestEndAction: Equatable {
        case none
        /// Finish the body source; `then` is set when the response was already complete.
        case finishBody(then: ExchangeEnd?)
    }

    enum ResponseCompleteAction: Equatable {
        /// `Connection: close` was sent: flush, then close.
        case flushThenClose
        case finished(ExchangeEnd)
        /// The response went out before the request body: keep reading to discard the rest.
        case discardRest(read: Bool)
    }

    enum InputClosedAction: Equatable {
        case none
        /// The request body cannot complete: fail it, and close when the response is complete.
        case failBody(close: Bool)
        /// Between exchanges: answer what is buffered, then close.
        case processInput
    }

    enum TimerAction: Equatable {
        case none
        /// Activity moved the deadline: schedule again.
        case rearm
        case close
        /// The response-write timeout: flushing would wait behind the stalled writes.
        case closeNow
        case rejectHeadTimeout
        case failBodyTimeout
    }

    enum TunnelDecision: Equatable {
        /// The exchange is gone (or its response started): nothing to do.
        case ignore
        /// The request cannot become a tunnel: answer 500.
        case refuse
        /// Write the 101 head, then switch the connection (``switchProtocol()``).
        case accept
    }

    /// What the next protocol's handler inherits when the connection switches.
    struct Handover: Equatable {
        var readPending: Bool
        var inputClosed: Bool
        var inReadBurst: Bool
    }

    struct BodyDemandAction: Equatable {
        var sendContinue = false
        var read = false
    }

    let limits: Limits
    private(set) var state: State = .idle(headStart: nil)
    /// Until the first request starts: whether the bytes may still be HTTP/2's connection preface.
    private(set) var mayBeHTTP2Preface: Bool
    private(set) var inputClosed = false
    /// NIO asked for a read while reading was held back.
    private(set) var readPending = false
    private(set) var inReadBurst = false
    private(set) var needsFlush = false
    private(set) var lastActivity: NIODeadline
    /// Large writes in flight, and when one last finished: the response-write timeout.
    private(set) var writesOutstanding = 0
    private(set) var lastWriteProgress: NIODeadline
    private var nextExchangeID: UInt64 = 0

    init(limits: Limits, mayBeHTTP2Preface: Bool, now: NIODeadline) {
        self.limits = limits
        self.mayBeHTTP2Preface = mayBeHTTP2Preface
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    // MARK: - Queries

    var isClosed: Bool {
        switch state {
        case .closed, .switched: return true
        case .idle, .exchange: return false
        }
    }

    var exchange: Exchange? {
        if case .exchange(let exchange) = state { return exchange }
        return nil
    }

    /// Whether the parser should be asked for the next event: not while a complete request waits
    /// for its response (pipelined requests stay in the buffer), nor once the connection is done.
    var wantsParse: Bool {
        switch state {
        case .idle: return true
        case .exchange(let exchange): return !exchange.requestComplete
        case .switched, .closed: return false
        }
    }

    /// A complete request waits for its response, or its consumer fell behind: reading more would
    /// only buffer.
    private var isReadHeld: Bool {
        guard case .exchange(let exchange) = state else { return false }
        return exchange.pausedForBody || (exchange.requestComplete && !exchange.responseComplete)
    }

    private mutating func updateExchange<T>(_ body: (inout Exchange) -> T) -> T? {
        guard case .exchange(var exchange) = state else { return nil }
        let result = body(&exchange)
        state = .exchange(exchange)
        return result
    }

    // MARK: - Reading

    mutating func bytesRead(now: NIODeadline) {
        lastActivity = now
        inReadBurst = true
    }

    /// The first bytes are not HTTP/2's preface.
    mutating func prefaceRuledOut() {
        mayBeHTTP2Preface = false
    }

    /// NIO asks for a read; true when it may go ahead now, false when it is held until the
    /// exchange lets reading go on.
    mutating func readRequested() -> Bool {
        if isReadHeld {
            readPending = true
            return false
        }
        return true
    }

    /// Whether a held read should be issued now.
    mutating func resumeReading() -> Bool {
        guard readPending, !isReadHeld else { return false }
        readPending = false
        return true
    }

    /// The read burst ended; true when the responses written during it need a flush.
    mutating func readBurstEnded() -> Bool {
        inReadBurst = false
        return flushIfNeeded()
    }

    /// True when written responses wait for a flush that no read burst will do.
    mutating func flushIfNeeded() -> Bool {
        guard needsFlush, !inReadBurst else { return false }
        needsFlush = false
        return true
    }

    /// The parser has no more events for the bytes at hand. `partialHead`: bytes of an incomplete
    /// head are buffered. True when the connection must close (the client closed its side and
    /// everything it sent is answered).
    mutating func inputProcessed(partialHead: Bool, now: @autoclosure () -> NIODeadline) -> Bool {
        guard case .idle(let headStart) = state else { return false }
        state = .idle(headStart: partialHead ? (headStart ?? now()) : nil)
        return inputClosed
    }

    /// A request head arrived; returns the new exchange's id.
    mutating func requestHeadReceived(
        hasBody: Bool, expectsContinue: Bool, keepAlive: Bool, bodyDiscardable: Bool
    ) -> UInt64 {
        mayBeHTTP2Preface = false
        nextExchangeID &+= 1
        // A request without a body is complete with its head; the parser's `.end` that follows is
        // then a no-op.
        state = .exchange(
            Exchange(
                id: nextExchangeID, hasBody: hasBody, expectsContinue: expectsContinue,
                bodyDiscardable: bodyDiscardable, requestComplete: !hasBody, closeAfterResponse: !keepAlive))
        return nextExchangeID
    }

    /// `count` bytes of request body arrived.
    mutating func bodyPartReceived(count: Int) -> BodyPartAction {
        let limit = limits.maxDiscardedBodyBytes
        return updateExchange { exchange -> BodyPartAction in
            guard exchange.responseComplete else { return .deliver }
            exchange.discardedBytes += Int64(count)
            return exchange.discardedBytes > limit ? .close : .discard
        } ?? .discard
    }

    /// The body's consumer is full: hold reads until it asks for more.
    mutating func bodyBackpressure() {
        updateExchange { $0.pausedForBody = true }
    }

    /// The parser reached the end of the request.
    mutating func requestEnded(now: @autoclosure () -> NIODeadline) -> RequestEndAction {
        guard case .exchange(var exchange) = state, !exchange.requestComplete else { return .none }
        exchange.requestComplete = true
        exchange.pausedForBody = false
        state = .exchange(exchange)
        return .finishBody(then: exchange.responseComplete ? finishExchange(exchange, now: now()) : nil)
    }

    /// The body's consumer read from an empty buffer or drained a full one. Nil when the exchange
    /// is gone. `wantsMore` is asked only when reading is paused for the body.
    mutating func bodyDemanded(
        exchangeID: UInt64, now: @autoclosure () -> NIODeadline, wantsMore: () -> Bool
    ) -> BodyDemandAction? {
        guard case .exchange(var exchange) = state, exchange.id == exchangeID else { return nil }
        var action = BodyDemandAction()
        if exchange.expectsContinue && !exchange.continueSent && !exchange.responseHeadSent {
            exchange.continueSent = true
            lastActivity = now()  // the body-read timeout counts from the go-ahead
            action.sendContinue = true
        }
        if exchange.pausedForBody, wantsMore() {
            exchange.pausedForBody = false
            lastActivity = now()
            state = .exchange(exchange)
            action.read = resumeReading()
        } else {
            state = .exchange(exchange)
        }
        return action
    }

    /// The client closed its sending side.
    mutating func inputClosedReceived() -> InputClosedAction {
        inputClosed = true
        switch state {
        case .idle:
            return .processInput
        case .exchange(var exchange) where !exchange.requestComplete:
            exchange.closeAfterResponse = true
            state = .exchange(exchange)
            return .failBody(close: exchange.responseComplete)
        case .exchange, .switched, .closed:
            return .none
        }
    }

    /// The server shuts down: finish the exchange in flight, then close. True: close now.
    mutating func shutdownRequested() -> Bool {
        switch state {
        case .idle:
            return true
        case .exchange(var exchange):
            exchange.closeAfterResponse = true
            state = .exchange(exchange)
            return false
        case .switched, .closed:
            return false
        }
    }

    // MARK: - Writing

    /// The response head is about to be encoded. `isStream`: a streaming response may still read
    /// the body (echo, transform), so its body is only abandoned when the stream ends. Returns
    /// whether to abandon the unread body and whether the connection stays open after it.
    mutating func responseHeadStarting(isStream: Bool) -> (abandonBody: Bool, keepAlive: Bool) {
        updateExchange { exchange in
            var abandon = false
            if !exchange.requestComplete {
                // The handler answered before the whole body arrived. Keep the connection only if
                // the rest is small enough to read and throw away, and the client is not still
                // waiting for a 100 Continue it will never get.
                if !isStream {
                    abandon = true
                    exchange.pausedForBody = false
                }
                let awaitingContinue = exchange.expectsContinue && !exchange.continueSent
                if !exchange.bodyDiscardable || awaitingContinue { exchange.closeAfterResponse = true }
            }
            exchange.responseHeadSent = true
            return (abandon, !exchange.closeAfterResponse)
        } ?? (false, false)
    }

    /// A streaming response ended before the request body did, and the body's consumer is gone:
    /// the rest is discarded as it arrives, so reading must not stay paused for it.
    mutating func bodyAbandoned() {
        updateExchange { $0.pausedForBody = false }
    }

    /// The response is delimited by closing the connection (an HTTP/1.0 stream of unknown length).
    mutating func closeAfterResponse() {
        updateExchange { $0.closeAfterResponse = true }
    }

    /// The last byte of the response is queued.
    mutating func responseCompleted(now: @autoclosure () -> NIODeadline) -> ResponseCompleteAction {
        guard case .exchange(var exchange) = state else { return .flushThenClose }
        exchange.responseComplete = true
        state = .exchange(exchange)
        if exchange.closeAfterResponse {
            needsFlush = false  // the flush before closing covers everything written
            return .flushThenClose
        }
        needsFlush = true
        if exchange.requestComplete {
            return .finished(finishExchange(exchange, now: now()))
        }
        // The unread rest of the body is discarded as it arrives; reading must go on for that.
        return .discardRest(read: resumeReading())
    }

    private mutating func finishExchange(_ exchange: Exchange, now: NIODeadline) -> ExchangeEnd {
        state = .idle(headStart: nil)
        lastActivity = now  // the idle timeout counts from the end of the exchange
        if exchange.closeAfterResponse { return .close }
        return .next(read: resumeReading())
    }

    /// A write whose completion is awaited (file slices, stream chunks) was queued.
    mutating func writeStarted(now: @autoclosure () -> NIODeadline) {
        if writesOutstanding == 0 { lastWriteProgress = now() }
        writesOutstanding += 1
    }

    /// One such write completed; true when none is left (the socket may be uncorked).
    mutating func writeFinished(now: NIODeadline) -> Bool {
        writesOutstanding -= 1
        lastWriteProgress = now
        return writesOutstanding == 0
    }

    // MARK: - Errors, closing, switching

    /// The request is refused (a parse error or the header-read timeout). True: answer it with the
    /// engine's error response (the exchange it replaces closes after); false: close at once,
    /// because a response is already under way.
    mutating func requestRejected() -> Bool {
        switch state {
        case .exchange(let exchange) where exchange.responseHeadSent:
            updateExchange { $0.closeAfterResponse = true }
            return false
        case .switched, .closed:
            return false
        case .idle, .exchange:
            state = .exchange(
                Exchange(
                    id: 0, hasBody: false, expectsContinue: false, bodyDiscardable: false, requestComplete: true,
                    closeAfterResponse: true))
            return true
        }
    }

    /// True when the connection should close now (it was not closed or handed over already).
    mutating func closeRequested() -> Bool {
        guard !isClosed else { return false }
        state = .closed
        needsFlush = false
        return true
    }

    /// The channel went inactive.
    mutating func channelClosed() {
        state = .closed
    }

    /// An `Upgrade` answered by a tunnel (``TunnelDecision``). `upgradeRequested`: the request is HTTP/1.1 with an
    /// `Upgrade` field and the responder's head is 101; a tunnel also needs a request without a
    /// body and a response not yet begun.
    mutating func tunnelRequested(exchangeID: UInt64, upgradeRequested: Bool) -> TunnelDecision {
        guard case .exchange(let exchange) = state, exchange.id == exchangeID, !exchange.responseHeadSent else {
            return .ignore
        }
        guard upgradeRequested, !exchange.hasBody else { return .refuse }
        return .accept
    }

    /// The connection becomes another protocol's (HTTP/2's preface or `Upgrade: h2c`, a tunnel).
    /// Nil when it is closed already.
    mutating func switchProtocol() -> Handover? {
        guard !isClosed else { return nil }
        state = .switched
        mayBeHTTP2Preface = false
        needsFlush = false
        return Handover(readPending: readPending, inputClosed: inputClosed, inReadBurst: inReadBurst)
    }

    // MARK: - Timers

    /// The deadline the connection's one timer should fire at, and what it enforces.
    var deadline: (NIODeadline, TimeoutKind)? {
        if isClosed { return nil }
        if writesOutstanding > 0 {
            return (lastWriteProgress + limits.responseWriteTimeout, .write)
        }
        switch state {
        case .exchange(let exchange):
            if exchange.requestComplete || exchange.pausedForBody { return nil }
            // The client waits for 100 Continue, which only a handler reading the body sends.
            if exchange.expectsContinue && !exchange.continueSent { return nil }
            if exchange.responseComplete || exchange.hasBody {
                return (lastActivity + limits.bodyReadTimeout, .body)
            }
            return nil
        case .idle(let headStart?):
            return (headStart + limits.headerReadTimeout, .head)
        case .idle(nil):
            return (lastActivity + limits.keepAliveIdleTimeout, .idle)
        case .switched, .closed:
            return nil
        }
    }

    /// The timer fired at `now`: activity may have moved the deadline since it was scheduled.
    mutating func timerFired(now: NIODeadline) -> TimerAction {
        guard let (deadline, kind) = deadline else { return .none }
        guard deadline <= now else { return .rearm }
        switch kind {
        case .idle:
            return .close
        case .write:
            state = .closed
            needsFlush = false
            return .closeNow
        case .head:
            return .rejectHeadTimeout
        case .body:
            let responseComplete =
                updateExchange { exchange -> Bool in
                    exchange.closeAfterResponse = true
                    return exchange.responseComplete
                } ?? false
            return responseComplete ? .close : .failBodyTimeout
        }
    }
}
