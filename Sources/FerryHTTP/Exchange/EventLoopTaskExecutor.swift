import NIOCore

/// Runs the jobs of a task on a NIO event loop: the task executor preference of a tunnel's owner,
/// so that the owner runs where its bytes arrive and leave.
///
/// A tunnel's owner (a WebSocket) waits for each read. On the global executor every read resumed
/// it on a worker thread woken for the purpose (a futex wake and a thread switch per read, the
/// largest cost of relaying a frame after the kernel's copies); on the event loop that produced
/// the read the resumption is a job queued on the loop itself, run in the same turn. The owner
/// must not block (it does not: its waits are awaits); actor-isolated code it calls still runs on
/// its actor.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
