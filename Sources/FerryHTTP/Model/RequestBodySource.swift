import NIOConcurrencyHelpers
import NIOCore

/// The shared state between the event loop that produces body bytes and the task that consumes them.
///
/// A lock rather than an actor: the producer is the event loop, which must never suspend, and the
/// critical sections are a few field updates.
final class RequestBodySource: @unchecked Sendable {
    private struct State {
        var buffers = CircularBuffer<ByteBuffer>()
        var bufferedBytes = 0
        var finished = false
        var error: (any Error)?
        var waiter: CheckedContinuation<ByteBuffer?, any Error>?
        var abandoned = false
        /// The producer was told to stop reading; it must hear as soon as there is room again.
        var producerPaused = false
    }

    private let lock = NIOLock()
    private var state = State()
    private let highWatermark: Int
    /// Tells the producer that the consumer wants more (first read, or the buffer drained); the
    /// closure hops to the event loop itself.
    private let onDemand: (@Sendable () -> Void)?
    /// Tells the producer how many bytes left the buffer — read by the consumer, or dropped
    /// because nobody will read them. HTTP/2 returns them to the flow-control windows; it hops
    /// to the event loop itself.
    private let onConsumed: (@Sendable (Int) -> Void)?

    init(highWatermark: Int, onDemand: (@Sendable () -> Void)?, onConsumed: (@Sendable (Int) -> Void)? = nil) {
        self.highWatermark = highWatermark
        self.onDemand = onDemand
        self.onConsumed = onConsumed
    }

    // MARK: Producer (event loop)

    /// Hands a piece of body to the consumer. Returns whether the producer may keep reading.
    func yield(_ buffer: ByteBuffer) -> Bool {
        let (waiter, keepReading, consumed): (CheckedContinuation<ByteBuffer?, any Error>?, Bool, Bool) = lock.withLock
        {
            if state.abandoned || state.finished { return (nil, true, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true, true)
            }
            state.buffers.append(buffer)
            state.bufferedBytes += buffer.readableBytes
            let keepReading = state.bufferedBytes < highWatermark
            if !keepReading { state.producerPaused = true }
            return (nil, keepReading, false)
        }
        if consumed { onConsumed?(buffer.readableBytes) }
        waiter?.resume(returning: buffer)
        return keepReading
    }

    func finish() {
        let waiter = lock.withLock { () -> CheckedContinuation<ByteBuffer?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func fail(_ error: any Error) {
        let waiter = lock.withLock { () -> CheckedContinuation<ByteBuffer?, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.error = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    /// The consumer is gone (its response was sent): drop what is buffered, ignore what comes.
    func abandon() {
        let (waiter, dropped) = lock.withLock { () -> (CheckedContinuation<ByteBuffer?, any Error>?, Int) in
            state.abandoned = true
            state.buffers.removeAll()
            defer {
                state.waiter = nil
                state.bufferedBytes = 0
            }
            return (state.waiter, state.bufferedBytes)
        }
        if dropped > 0 { onConsumed?(dropped) }
        waiter?.resume(throwing: HTTPBodyError.connectionClosed)
    }

    /// Whether the consumer has room for more (used to resume reading after backpressure).
    var wantsMore: Bool {
        lock.withLock { !state.abandoned && state.bufferedBytes < highWatermark / 2 }
    }

    // MARK: Consumer (any task)

    func next() async throws -> ByteBuffer? {
        enum Step {
            case value(ByteBuffer?, signal: Bool)
            case failure(any Error)
            case wait
        }
        let step = lock.withLock { () -> Step in
            if let buffer = state.buffers.popFirst() {
                state.bufferedBytes -= buffer.readableBytes
                let signal = state.producerPaused && state.bufferedBytes < highWatermark / 2
                if signal { state.producerPaused = false }
                return .value(buffer, signal: signal)
            }
            if let error = state.error { return .failure(error) }
            if state.finished { return .value(nil, signal: false) }
            if state.abandoned { return .failure(HTTPBodyError.connectionClosed) }
            return .wait
        }
        switch step {
        case .value(let buffer, let signal):
            if let buffer { onConsumed?(buffer.readableBytes) }
            if signal { onDemand?() }
            return buffer
        case .failure(let error):
            throw error
        case .wait:
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let resumeNow: Result<ByteBuffer?, any Error>? = lock.withLock {
                        if let buffer = state.buffers.popFirst() {
                            state.bufferedBytes -= buffer.readableBytes
                            return .success(buffer)
                        }
                        state.producerPaused = false  // empty: the producer is asked for more below
                        if let error = state.error { return .failure(error) }
                        if state.finished { return .success(nil) }
                        if Task.isCancelled { return .failure(CancellationError()) }
                        // One reader at a time: a second concurrent reader gets an error instead
                        // of silently replacing (and stranding) the first one's continuation.
                        if state.waiter != nil { return .failure(HTTPBodyError.concurrentRead) }
                        state.waiter = continuation
                        return nil
                    }
                    if let resumeNow {
                        if case .success(let buffer?) = resumeNow { onConsumed?(buffer.readableBytes) }
                        continuation.resume(with: resumeNow)
                    } else {
                        onDemand?()
                    }
                }
            } onCancel: {
                let waiter = lock.withLock { () -> CheckedContinuation<ByteBuffer?, any Error>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(throwing: CancellationError())
            }
        }
    }
}
