import NIOCore
import Testing

@testable import FerryHTTP

/// The HTTP/1.1 connection's rules without a channel: events in, actions out.
@Suite("HTTP/1.1 connection state machine")
struct HTTP1ConnectionStateMachineTests {
    typealias Machine = HTTP1ConnectionStateMachine

    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func limits(maxDiscarded: Int64 = 1000) -> Machine.Limits {
        var configuration = HTTPServerConfiguration()
        configuration.headerReadTimeout = .seconds(10)
        configuration.bodyReadTimeout = .seconds(30)
        configuration.keepAliveIdleTimeout = .seconds(75)
        configuration.responseWriteTimeout = .seconds(60)
        configuration.maxDiscardedBodyBytes = maxDiscarded
        return Machine.Limits(configuration)
    }

    func makeMachine(maxDiscarded: Int64 = 1000, preface: Bool = false) -> Machine {
        Machine(limits: Self.limits(maxDiscarded: maxDiscarded), mayBeHTTP2Preface: preface, now: Self.start)
    }

    func at(_ seconds: Int64) -> NIODeadline { Self.start + .seconds(seconds) }

    /// A request without a body arrives and is answered inline.
    func getAndAnswer(_ machine: inout Machine, keepAlive: Bool = true) -> Machine.ResponseCompleteAction {
        _ = machine.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: keepAlive, bodyDiscardable: true)
        _ = machine.responseHeadStarting(isStream: false)
        return machine.responseCompleted(now: at(1))
    }

    @Test("keep-alive: an answered request leaves the connection idle, flushing once after the burst")
    func keepAlive() {
        var machine = makeMachine()
        machine.bytesRead(now: at(0))
        let id = machine.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        #expect(id == 1)
        #expect(!machine.wantsParse)  // the request is complete: pipelined bytes wait
        let answer1 = machine.responseHeadStarting(isStream: false)
        #expect(answer1 == (abandonBody: false, keepAlive: true))
        let answer2 = machine.responseCompleted(now: at(1))
        #expect(answer2 == .finished(.next(read: false)))
        #expect(machine.state == .idle(headStart: nil))
        let answer3 = machine.flushIfNeeded()
        #expect(!answer3)  // inside the read burst: the burst's end flushes
        let answer4 = machine.readBurstEnded()
        #expect(answer4)
        let answer5 = machine.readBurstEnded()
        #expect(!answer5)
        #expect(machine.deadline! == (at(1) + .seconds(75), .idle))
    }

    @Test("pipelining: reads are held while a request waits for its response, then resume in order")
    func pipeliningOrder() {
        var machine = makeMachine()
        machine.bytesRead(now: at(0))
        let first = machine.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        #expect(!machine.wantsParse)
        let answer6 = machine.readRequested()
        #expect(!answer6)  // held: the second request stays in the buffer
        #expect(machine.readPending)
        // The async answer comes later; the exchange ends and the held read goes out.
        _ = machine.responseHeadStarting(isStream: false)
        let answer7 = machine.responseCompleted(now: at(2))
        #expect(answer7 == .finished(.next(read: true)))
        #expect(!machine.readPending)
        #expect(machine.wantsParse)
        let second = machine.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        #expect(second == first + 1)
        #expect(machine.exchange?.id == second)
    }

    @Test("Connection: close: the response is flushed, then the connection closes")
    func closeAfterResponse() {
        var machine = makeMachine()
        _ = machine.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: false, bodyDiscardable: true)
        let answer8 = machine.responseHeadStarting(isStream: false)
        #expect(answer8 == (abandonBody: false, keepAlive: false))
        let answer9 = machine.responseCompleted(now: at(1))
        #expect(answer9 == .flushThenClose)
        let answer10 = machine.flushIfNeeded()
        #expect(!answer10)
        let answer11 = machine.closeRequested()
        #expect(answer11)
        let answer12 = machine.closeRequested()
        #expect(!answer12)  // once
        #expect(machine.isClosed)
        #expect(machine.deadline == nil)
    }

    @Test("an HTTP/1.0 stream of unknown length closes after the response")
    func untilClose() {
        var machine = makeMachine()
        _ = machine.requestHeadReceived(hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        machine.closeAfterResponse()
        let answer13 = machine.responseHeadStarting(isStream: true).keepAlive
        #expect(answer13 == false)
    }

    @Test("100-continue: sent on the first body read, once, and not after a response began")
    func continueOnDemand() {
        var machine = makeMachine()
        let id = machine.requestHeadReceived(
            hasBody: true, expectsContinue: true, keepAlive: true, bodyDiscardable: true)
        // No timer while the client waits for the go-ahead only a reading handler gives.
        #expect(machine.deadline == nil)
        let demand = machine.bodyDemanded(exchangeID: id, now: at(3), wantsMore: { true })
        #expect(demand == Machine.BodyDemandAction(sendContinue: true, read: false))
        #expect(machine.deadline! == (at(3) + .seconds(30), .body))
        let answer14 = machine.bodyDemanded(exchangeID: id, now: at(4), wantsMore: { true })?.sendContinue
        #expect(answer14 == false)
        let answer15 = machine.bodyDemanded(exchangeID: id + 1, now: at(4), wantsMore: { true })
        #expect(answer15 == nil)

        var refused = makeMachine()
        let refusedID = refused.requestHeadReceived(
            hasBody: true, expectsContinue: true, keepAlive: true, bodyDiscardable: true)
        // Answered without reading: the client never got 100 Continue and may still send the body.
        let answer16 = refused.responseHeadStarting(isStream: false)
        #expect(answer16 == (abandonBody: true, keepAlive: false))
        let answer17 = refused.bodyDemanded(exchangeID: refusedID, now: at(1), wantsMore: { true })?.sendContinue
        #expect(answer17 == false)
    }

    @Test("backpressure: a full body consumer holds reads until it asks for more")
    func bodyBackpressure() {
        var machine = makeMachine()
        let id = machine.requestHeadReceived(
            hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: false)
        let answer18 = machine.bodyPartReceived(count: 100)
        #expect(answer18 == .deliver)
        machine.bodyBackpressure()
        let answer19 = machine.readRequested()
        #expect(!answer19)
        #expect(machine.deadline == nil)  // a slow consumer is not a slow client
        let answer20 = machine.bodyDemanded(exchangeID: id, now: at(1), wantsMore: { false })
        #expect(answer20 == .init())
        let answer21 = machine.bodyDemanded(exchangeID: id, now: at(2), wantsMore: { true })
        #expect(answer21 == .init(read: true))
        let answer22 = machine.requestEnded(now: at(3))
        #expect(answer22 == .finishBody(then: nil))
        let answer23 = machine.requestEnded(now: at(3))
        #expect(answer23 == .none)
    }

    @Test("a body answered early is read and discarded up to the limit; one byte more closes")
    func discardLimit() {
        var machine = makeMachine(maxDiscarded: 1000)
        _ = machine.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer24 = machine.responseHeadStarting(isStream: false)
        #expect(answer24 == (abandonBody: true, keepAlive: true))
        let answer25 = machine.responseCompleted(now: at(1))
        #expect(answer25 == .discardRest(read: false))
        #expect(machine.deadline! == (at(0) + .seconds(30), .body))
        let answer26 = machine.bodyPartReceived(count: 600)
        #expect(answer26 == .discard)
        let answer27 = machine.bodyPartReceived(count: 400)
        #expect(answer27 == .discard)
        let answer28 = machine.bodyPartReceived(count: 1)
        #expect(answer28 == .close)

        var small = makeMachine(maxDiscarded: 1000)
        _ = small.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        _ = small.responseHeadStarting(isStream: false)
        _ = small.responseCompleted(now: at(1))
        let answer29 = small.bodyPartReceived(count: 1000)
        #expect(answer29 == .discard)
        let answer30 = small.requestEnded(now: at(2))
        #expect(answer30 == .finishBody(then: .next(read: false)))
        #expect(small.state == .idle(headStart: nil))

        var large = makeMachine(maxDiscarded: 1000)
        _ = large.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: false)
        let answer31 = large.responseHeadStarting(isStream: false)
        #expect(answer31 == (abandonBody: true, keepAlive: false))
        let answer32 = large.responseCompleted(now: at(1))
        #expect(answer32 == .flushThenClose)
    }

    @Test("half-close: between requests the buffer is answered, then the connection closes")
    func inputClosedIdle() {
        var machine = makeMachine()
        let answer33 = machine.inputClosedReceived()
        #expect(answer33 == .processInput)
        let answer34 = machine.inputProcessed(partialHead: false, now: at(1))
        #expect(answer34)
    }

    @Test("half-close during a body fails it; the response then closes the connection")
    func inputClosedDuringBody() {
        var machine = makeMachine()
        _ = machine.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer35 = machine.inputClosedReceived()
        #expect(answer35 == .failBody(close: false))
        let answer36 = machine.responseHeadStarting(isStream: false).keepAlive
        #expect(answer36 == false)
        let answer37 = machine.responseCompleted(now: at(1))
        #expect(answer37 == .flushThenClose)

        var answered = makeMachine()
        _ = answered.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        _ = answered.responseHeadStarting(isStream: false)
        _ = answered.responseCompleted(now: at(1))
        let answer38 = answered.inputClosedReceived()
        #expect(answer38 == .failBody(close: true))
    }

    @Test("half-close after a complete request: it is answered and the connection closes")
    func inputClosedAfterRequest() {
        var machine = makeMachine()
        _ = machine.requestHeadReceived(hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer39 = machine.inputClosedReceived()
        #expect(answer39 == .none)
        let answer40 = machine.responseCompleted(now: at(1))
        #expect(answer40 == .finished(.next(read: false)))
        let answer41 = machine.inputProcessed(partialHead: false, now: at(1))
        #expect(answer41)
    }

    @Test("shutdown closes an idle connection at once and lets an exchange finish first")
    func shutdown() {
        var idle = makeMachine()
        let answer42 = idle.shutdownRequested()
        #expect(answer42)

        var busy = makeMachine()
        _ = busy.requestHeadReceived(hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer43 = busy.shutdownRequested()
        #expect(!answer43)
        let answer44 = busy.responseHeadStarting(isStream: false).keepAlive
        #expect(answer44 == false)
        let answer45 = busy.responseCompleted(now: at(1))
        #expect(answer45 == .flushThenClose)
    }

    @Test("keep-alive idle timeout: activity moves the deadline, the timer re-arms, then closes")
    func idleTimeout() {
        var machine = makeMachine()
        _ = getAndAnswer(&machine)
        #expect(machine.deadline! == (at(76), .idle))
        let answer46 = machine.timerFired(now: at(50))
        #expect(answer46 == .rearm)
        let answer47 = machine.timerFired(now: at(76))
        #expect(answer47 == .close)
    }

    @Test("header-read timeout counts from the first byte of a partial head")
    func headerTimeout() {
        var machine = makeMachine()
        let answer48 = machine.inputProcessed(partialHead: true, now: at(2))
        #expect(!answer48)
        let answer49 = machine.inputProcessed(partialHead: true, now: at(5))
        #expect(!answer49)  // still from the first byte
        #expect(machine.deadline! == (at(12), .head))
        let answer50 = machine.timerFired(now: at(12))
        #expect(answer50 == .rejectHeadTimeout)
        let answer51 = machine.requestRejected()
        #expect(answer51)
        let answer52 = machine.responseHeadStarting(isStream: false).keepAlive
        #expect(answer52 == false)
        let answer53 = machine.responseCompleted(now: at(12))
        #expect(answer53 == .flushThenClose)
    }

    @Test("body-read timeout fails the body, or closes when the response is complete")
    func bodyTimeout() {
        var machine = makeMachine()
        machine.bytesRead(now: at(1))
        _ = machine.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        #expect(machine.deadline! == (at(31), .body))
        let answer54 = machine.timerFired(now: at(31))
        #expect(answer54 == .failBodyTimeout)
        let answer55 = machine.responseHeadStarting(isStream: false).keepAlive
        #expect(answer55 == false)

        var answered = makeMachine()
        _ = answered.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        _ = answered.responseHeadStarting(isStream: false)
        _ = answered.responseCompleted(now: at(1))
        let answer56 = answered.timerFired(now: at(30))
        #expect(answer56 == .close)
    }

    @Test("response-write timeout: stalled writes close at once; progress moves the deadline")
    func writeTimeout() {
        var machine = makeMachine()
        _ = machine.requestHeadReceived(hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        _ = machine.responseHeadStarting(isStream: true)
        machine.writeStarted(now: at(1))
        machine.writeStarted(now: at(2))
        #expect(machine.deadline! == (at(61), .write))
        let answer57 = machine.writeFinished(now: at(10))
        #expect(!answer57)
        #expect(machine.deadline! == (at(70), .write))
        let answer58 = machine.timerFired(now: at(70))
        #expect(answer58 == .closeNow)
        #expect(machine.isClosed)
        let answer59 = machine.timerFired(now: at(80))
        #expect(answer59 == .none)
    }

    @Test("a rejection after the response began closes without a second response")
    func rejectMidResponse() {
        var machine = makeMachine()
        _ = machine.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        _ = machine.responseHeadStarting(isStream: true)
        let answer60 = machine.requestRejected()
        #expect(!answer60)
    }

    @Test("HTTP/2 preface or h2c: the connection is handed over with its pending read and closed input")
    func protocolSwitch() {
        var machine = makeMachine(preface: true)
        #expect(machine.mayBeHTTP2Preface)
        machine.bytesRead(now: at(1))
        let answer61 = machine.readRequested()
        #expect(answer61)
        _ = machine.inputClosedReceived()
        let handover = machine.switchProtocol()
        #expect(handover == .init(readPending: false, inputClosed: true, inReadBurst: true))
        #expect(machine.isClosed)
        #expect(!machine.mayBeHTTP2Preface)
        let answer62 = machine.switchProtocol()
        #expect(answer62 == nil)
        let answer63 = machine.closeRequested()
        #expect(!answer63)  // the new handler owns the connection now
        #expect(machine.deadline == nil)
        let answer64 = machine.shutdownRequested()
        #expect(!answer64)
    }

    @Test("a tunnel opens only for an Upgrade request without a body answered 101, before any response")
    func tunnel() {
        var machine = makeMachine()
        let id = machine.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer65 = machine.readRequested()
        #expect(!answer65)  // held until the answer
        let answer66 = machine.tunnelRequested(exchangeID: id + 1, upgradeRequested: true)
        #expect(answer66 == .ignore)
        let answer67 = machine.tunnelRequested(exchangeID: id, upgradeRequested: true)
        #expect(answer67 == .accept)
        let answer68 = machine.switchProtocol()
        #expect(answer68 == .init(readPending: true, inputClosed: false, inReadBurst: false))
        #expect(machine.state == .switched)
        let answer69 = machine.tunnelRequested(exchangeID: id, upgradeRequested: true)
        #expect(answer69 == .ignore)
        #expect(machine.deadline == nil)

        var notUpgrade = makeMachine()
        let other = notUpgrade.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer70 = notUpgrade.tunnelRequested(exchangeID: other, upgradeRequested: false)
        #expect(answer70 == .refuse)

        var withBody = makeMachine()
        let upload = withBody.requestHeadReceived(
            hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer71 = withBody.tunnelRequested(exchangeID: upload, upgradeRequested: true)
        #expect(answer71 == .refuse)

        var shuttingDown = makeMachine()
        let late = shuttingDown.requestHeadReceived(
            hasBody: false, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        let answer72 = shuttingDown.shutdownRequested()
        #expect(!answer72)
        // A tunnel whose owner authenticated during shutdown still opens: it ends by its own close.
        let answer73 = shuttingDown.tunnelRequested(exchangeID: late, upgradeRequested: true)
        #expect(answer73 == .accept)
    }

    @Test("a stream that ends while reading is paused for its body goes on reading to discard the rest")
    func streamEndsWhilePaused() {
        var machine = makeMachine(maxDiscarded: 1000)
        _ = machine.requestHeadReceived(hasBody: true, expectsContinue: false, keepAlive: true, bodyDiscardable: true)
        machine.bodyBackpressure()
        let held = machine.readRequested()
        #expect(!held)
        let head = machine.responseHeadStarting(isStream: true)
        #expect(head == (abandonBody: false, keepAlive: true))
        machine.bodyAbandoned()
        let completed = machine.responseCompleted(now: at(1))
        #expect(completed == .discardRest(read: true))
        #expect(machine.deadline?.1 == .body)
    }
}
