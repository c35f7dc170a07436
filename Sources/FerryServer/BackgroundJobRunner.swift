import FerryApp
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Runs one ``BackgroundJob`` on an event loop's timer: at start, then `interval` after each
/// round ends. The job's `isDue` check runs on the loop; only a due round starts a task, which
/// ``stop()`` cancels along with the timer.
final class BackgroundJobRunner: Sendable {
    private let job: BackgroundJob
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let state = NIOLockedValueBox<(timer: RepeatedTask?, round: Task<Void, Never>?, stopped: Bool)>(
        (nil, nil, false))

    init(job: BackgroundJob, on eventLoop: any EventLoop, logger: Logger) {
        self.job = job
        self.eventLoop = eventLoop
        self.logger = logger
    }

    func start() {
        let timer = eventLoop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: TimeAmount(job.interval)) {
            [self] _ in
            round()
        }
        let stopped = state.withLockedValue { state in
            state.timer = timer
            return state.stopped
        }
        if stopped { timer.cancel() }
    }

    /// One round: nothing when the job is not due, else its work as a task the timer waits for.
    private func round() -> EventLoopFuture<Void> {
        guard !state.withLockedValue({ $0.stopped }), job.isDue() else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        let job = self.job
        let logger = self.logger
        let task = Task {
            do {
                try await job.run()
            } catch is CancellationError {
                // Stopped at shutdown: not a failure.
            } catch {
                logger.warning("background job failed", metadata: ["job": "\(job.name)", "error": "\(error)"])
            }
            promise.succeed()
        }
        let stopped = state.withLockedValue { state in
            state.round = task
            return state.stopped
        }
        if stopped { task.cancel() }
        return promise.futureResult
    }

    /// Cancels the timer and the round under way, if any, and waits for that round to end (so
    /// the database it may be using is closed only after it).
    func stop() async {
        let (timer, round) = state.withLockedValue { state in
            state.stopped = true
            return (state.timer, state.round)
        }
        timer?.cancel()
        round?.cancel()
        await round?.value
    }
}
