import NIOCore

extension HTTP1ConnectionHandler {
    /// One timer per connection, re-armed lazily: activity only moves a deadline forward, and the
    /// timer re-checks when it fires, so the common path never reschedules.
    func armTimer() {
        guard let context, let (deadline, _) = machine.deadline else { return }
        if let timerDeadline, timer != nil, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) { loopBound.value.timerFired() }
    }

    func timerFired() {
        timer = nil
        timerDeadline = nil
        switch machine.timerFired(now: .now()) {
        case .none:
            break
        case .rearm:
            armTimer()
        case .close:
            close()
        case .closeNow:
            // Flushing first would wait behind the very writes that stalled: close at once.
            context?.close(promise: nil)
        case .rejectHeadTimeout:
            reject(HTTP1ParseError(.requestTimeout, "request head not received in time"))
            flushIfNeeded()
        case .failBodyTimeout:
            exchange?.bodySource?.fail(HTTPBodyError.readTimeout)
        }
    }
}
