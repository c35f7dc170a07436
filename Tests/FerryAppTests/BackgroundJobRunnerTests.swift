import FerryApp
import Logging
import NIOPosix
import Synchronization
import Testing

@testable import FerryServer

/// Background jobs run on an event loop's timer; a job's `isDue` check decides, round by round,
/// whether its work starts at all.
@Suite struct BackgroundJobRunnerTests {
    final class Counts: Sendable {
        let checks = Atomic(0)
        let runs = Atomic(0)
        let due = Atomic(false)
    }

    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func runsOnlyTheRoundsItsCheckCallsDue() async throws {
        let counts = Counts()
        let job = BackgroundJob(
            name: "test", every: .milliseconds(20),
            when: {
                counts.checks.add(1, ordering: .relaxed)
                return counts.due.load(ordering: .relaxed)
            }
        ) {
            counts.runs.add(1, ordering: .relaxed)
        }
        let runner = BackgroundJobRunner(
            job: job, on: MultiThreadedEventLoopGroup.singleton.next(), logger: Logger(label: "test"))
        runner.start()
        #expect(try await Self.eventually { counts.checks.load(ordering: .relaxed) >= 5 })
        #expect(counts.runs.load(ordering: .relaxed) == 0, "rounds not due start no work")
        counts.due.store(true, ordering: .relaxed)
        #expect(try await Self.eventually { counts.runs.load(ordering: .relaxed) >= 3 })
        await runner.stop()
        let checks = counts.checks.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(100))
        #expect(counts.checks.load(ordering: .relaxed) == checks, "no round after stop")
    }

    @Test func stopCancelsTheRoundUnderWayAndWaitsForIt() async throws {
        let started = Atomic(0)
        let cancelled = Atomic(false)
        let job = BackgroundJob(name: "slow", every: .milliseconds(10)) {
            started.add(1, ordering: .relaxed)
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.store(true, ordering: .relaxed)
                throw error
            }
        }
        let runner = BackgroundJobRunner(
            job: job, on: MultiThreadedEventLoopGroup.singleton.next(), logger: Logger(label: "test"))
        runner.start()
        #expect(try await Self.eventually { started.load(ordering: .relaxed) == 1 })
        await runner.stop()
        let wasCancelled = cancelled.load(ordering: .relaxed)
        #expect(wasCancelled, "stop waits for the cancelled round")
        try await Task.sleep(for: .milliseconds(100))
        #expect(started.load(ordering: .relaxed) == 1, "no round after stop")
    }
}
