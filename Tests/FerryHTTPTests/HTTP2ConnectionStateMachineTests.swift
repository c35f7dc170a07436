import Testing

@testable import FerryHTTP

/// The HTTP/2 glue's decisions without a channel: events in, actions out.
@Suite("HTTP/2 connection state machine")
struct HTTP2ConnectionStateMachineTests {
    typealias Machine = HTTP2ConnectionStateMachine

    @Test("work between reads schedules one pump per tick; inside a read burst its end pumps instead")
    func pumpScheduling() {
        var machine = Machine()
        let queued = machine.pumpRequested()
        #expect(queued)
        let queued2 = machine.pumpRequested()
        #expect(!queued2, "one queued pump serves every request of the tick")
        machine.scheduledPumpStarted()
        let queued3 = machine.pumpRequested()
        #expect(queued3, "after it ran, new work queues a new one")
        machine.scheduledPumpStarted()

        let reads = machine.readStarted()
        #expect(reads)
        let queued4 = machine.pumpRequested()
        #expect(!queued4, "the read burst's end pumps")
        machine.readCompleted()
        let queued5 = machine.pumpRequested()
        #expect(queued5)
    }

    @Test("a pump on a channel that cannot take more waits for the writability change")
    func writability() {
        var machine = Machine()
        let resumes = machine.writabilityChanged(writable: true)
        #expect(!resumes, "nothing was held back")
        let pumps = machine.pumpStarting(channelWritable: true)
        #expect(pumps)
        let pumps2 = machine.pumpStarting(channelWritable: false)
        #expect(!pumps2)
        let resumes2 = machine.writabilityChanged(writable: false)
        #expect(!resumes2)
        let resumes3 = machine.writabilityChanged(writable: true)
        #expect(resumes3)
        let resumes4 = machine.writabilityChanged(writable: true)
        #expect(!resumes4, "the held pump runs once")
    }

    @Test("once closed, nothing is read, pumped or scheduled, and closing again is a no-op")
    func closed() {
        var machine = Machine()
        let closes = machine.closing()
        #expect(closes)
        #expect(machine.isClosed)
        let closes2 = machine.closing()
        #expect(!closes2)
        let reads = machine.readStarted()
        #expect(!reads)
        let queued = machine.pumpRequested()
        #expect(!queued)
        let pumps = machine.pumpStarting(channelWritable: true)
        #expect(!pumps)
        let notice = machine.shutdownRequested()
        #expect(!notice)
        let finalGoAway = machine.shutdownGraceElapsed()
        #expect(!finalGoAway)
        #expect(machine.phase == .closed)
    }

    @Test("after a pump: close on a failure or an idle session; when finishing, once no stream is left")
    func closesAfterPump() {
        var machine = Machine()
        #expect(machine.closesAfterPump(failed: true, sessionWantsIO: true, streamsEmpty: false))
        #expect(machine.closesAfterPump(failed: false, sessionWantsIO: false, streamsEmpty: false))
        #expect(!machine.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: true), "open: idle is fine")
        machine.finishStreams()
        #expect(!machine.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: false))
        #expect(machine.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: true))
    }

    @Test("a shutdown sends its notice once, then the final GOAWAY after the grace, then finishes")
    func shutdown() {
        var machine = Machine()
        let notice = machine.shutdownRequested()
        #expect(notice)
        #expect(machine.phase == .noticeSent)
        let notice2 = machine.shutdownRequested()
        #expect(!notice2, "a second shutdown (idle timeout, then the server's) sends nothing")
        #expect(
            !machine.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: true),
            "during the grace a request sent before the notice may still arrive")
        let finalGoAway = machine.shutdownGraceElapsed()
        #expect(finalGoAway)
        #expect(machine.phase == .finishing(noticeSent: true))
        #expect(machine.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: true))
    }

    @Test("a client's GOAWAY finishes the streams; a shutdown after it still sends its notice, once")
    func clientGoAwayThenShutdown() {
        var machine = Machine()
        machine.finishStreams()
        #expect(machine.phase == .finishing(noticeSent: false))
        let notice = machine.shutdownRequested()
        #expect(notice)
        #expect(machine.phase == .finishing(noticeSent: true))
        let notice2 = machine.shutdownRequested()
        #expect(!notice2)
        machine.finishStreams()
        #expect(machine.phase == .finishing(noticeSent: true))
    }

    @Test("a GOAWAY during the shutdown's grace keeps the notice sent")
    func goAwayDuringGrace() {
        var machine = Machine()
        _ = machine.shutdownRequested()
        machine.finishStreams()
        #expect(machine.phase == .finishing(noticeSent: true))
        let finalGoAway = machine.shutdownGraceElapsed()
        #expect(finalGoAway, "the final GOAWAY still names the last stream served")
    }

    @Test("the client ends its input: close when idle, answer open streams first, drop the channel when closing")
    func inputClosed() {
        var idle = Machine()
        let action = idle.inputClosed(streamsEmpty: true)
        #expect(action == .close)

        var busy = Machine()
        let action2 = busy.inputClosed(streamsEmpty: false)
        #expect(action2 == .finishStreams)
        #expect(busy.phase == .finishing(noticeSent: false))
        #expect(busy.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: true))

        var closing = Machine()
        _ = closing.closing()
        let action3 = closing.inputClosed(streamsEmpty: false)
        #expect(action3 == .closeChannel)
    }

    @Test("closed: an input close drops the channel even with no stream; a held pump is not remembered")
    func closedDetails() {
        var machine = Machine()
        _ = machine.closing()
        let action = machine.inputClosed(streamsEmpty: true)
        #expect(action == .closeChannel, "close() would do nothing now: the drained channel must go at once")
        let pumps = machine.pumpStarting(channelWritable: false)
        #expect(!pumps)
        let resumes = machine.writabilityChanged(writable: true)
        #expect(!resumes, "no pump after close")
    }

    @Test("a client's GOAWAY during the grace closes as soon as the streams end; the grace after a close does nothing")
    func goAwayDuringGraceClosesEarly() {
        var machine = Machine()
        _ = machine.shutdownRequested()
        machine.finishStreams()
        #expect(machine.closesAfterPump(failed: false, sessionWantsIO: true, streamsEmpty: true))
        _ = machine.closing()
        let finalGoAway = machine.shutdownGraceElapsed()
        #expect(!finalGoAway)
    }

    @Test("a half-close during the shutdown's grace keeps the notice sent")
    func halfCloseDuringGrace() {
        var machine = Machine()
        _ = machine.shutdownRequested()
        let action = machine.inputClosed(streamsEmpty: false)
        #expect(action == .finishStreams)
        #expect(machine.phase == .finishing(noticeSent: true))
        let notice = machine.shutdownRequested()
        #expect(!notice)
    }

    @Test("a failed or finished session closes the connection in every phase")
    func failureClosesInEveryPhase() {
        var noticeSent = Machine()
        _ = noticeSent.shutdownRequested()
        var finishing = Machine()
        finishing.finishStreams()
        for machine in [Machine(), noticeSent, finishing] {
            #expect(machine.closesAfterPump(failed: true, sessionWantsIO: true, streamsEmpty: false))
            #expect(machine.closesAfterPump(failed: false, sessionWantsIO: false, streamsEmpty: false))
        }
    }
}
