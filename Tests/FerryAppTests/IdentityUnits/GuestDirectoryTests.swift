import FerryHTTP
import FerryStore
import FerryWeb
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import FerryApp

/// A guest's pass lives while one of its sockets is open and for a grace time after the last one
/// closed (or after the claim), never beyond its lifetime.
@Suite("Guest passes")
struct GuestDirectoryTests {
    final class TestClock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    let clock = TestClock()
    let member = UUID()

    private func paired(_ guests: GuestDirectory, grace: TimeInterval = 300, lifetime: TimeInterval = 3600)
        -> (GuestPass, String)
    {
        let code = guests.makeCode(memberID: member, memberName: "Ann", lifetime: 600).code
        guard
            case .paired(let pass, let secret) = guests.claim(
                code: code, deviceID: "d", deviceName: "Visitor", publicKey: "k", lifetime: lifetime, grace: grace)
        else {
            Issue.record("the code did not pair")
            fatalError()
        }
        return (pass, secret)
    }

    private func request(cookie secret: String) -> Request {
        let head = HTTPRequest(
            method: .get, scheme: "http", authority: "h", path: "/pair",
            headerFields: [.cookie: "\(GuestDirectory.cookieName(scheme: "http"))=\(secret)"])
        return Request(
            head: head,
            connection: HTTPConnectionInfo(remoteAddress: nil, localAddress: nil, isSecure: false, protocolName: "t"))
    }

    @Test func aReloadWithinTheGraceKeepsThePairing() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(guests)
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == pass)
        #expect(guests.attach(pass.secretHash))
        clock.advance(3000)
        #expect(guests.sweep().isEmpty, "a connected guest stays, however long, within its lifetime")
        // The page reloads: its socket closes, a new one opens 299 s later.
        #expect(!guests.detach(pass.secretHash, grace: 300))
        clock.advance(299)
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == pass)
        #expect(guests.guests(of: member) == [pass], "the member keeps the pairing room meanwhile")
        #expect(guests.attach(pass.secretHash))
        #expect(guests.sweep().isEmpty)
    }

    @Test func aRestoredPassWaitsTheGraceForItsGuestToComeBack() {
        let before = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(before)
        // A restart: a new directory gets the pass back from the store, with no socket open.
        let after = GuestDirectory(clock: clock.read)
        after.restore([pass], grace: 300)
        #expect(after.pass(for: request(cookie: secret), scheme: "http") == pass, "the same cookie works")
        #expect(after.guests(of: member) == [pass], "the member's pairing room is back")
        clock.advance(299)
        #expect(after.attach(pass.secretHash), "the guest's page reconnects within the grace")
        // A pass whose guest never comes back ends as after a lost connection.
        let (other, _) = paired(before)
        after.restore([other, pass], grace: 0)
        #expect(after.guests(of: member).count == 2, "a pass already here is not replaced")
        clock.advance(GuestDirectory.firstSocketWait)
        #expect(after.sweep() == [other], "no grace still waits a minute for the first socket")
    }

    @Test func aGuestGoneLongerThanTheGraceIsSweptAndRefused() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(guests)
        #expect(guests.attach(pass.secretHash))
        #expect(guests.attach(pass.secretHash), "a second tab")
        #expect(!guests.detach(pass.secretHash, grace: 300))
        clock.advance(1000)
        #expect(guests.sweep().isEmpty, "one tab is still open")
        #expect(!guests.detach(pass.secretHash, grace: 300))
        clock.advance(300)
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == nil, "refused at the boundary")
        #expect(guests.guests(of: member).isEmpty)
        #expect(!guests.attach(pass.secretHash))
        #expect(guests.sweep() == [pass], "swept even after a refused look-up, so the member's rooms follow")
        #expect(!guests.hasPasses)
    }

    @Test func aClaimNeverConnectedEndsAfterTheGrace() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, _) = paired(guests, grace: 120)
        clock.advance(119)
        #expect(guests.sweep().isEmpty)
        clock.advance(1)
        #expect(guests.sweep() == [pass])
        #expect(!guests.hasPasses)
        // With no grace, the claim still waits a minute for the page's first socket.
        let (quick, _) = paired(guests, grace: 0)
        clock.advance(GuestDirectory.firstSocketWait - 1)
        #expect(guests.attach(quick.secretHash))
        let (never, _) = paired(guests, grace: 0)
        clock.advance(GuestDirectory.firstSocketWait)
        #expect(guests.sweep() == [never])
    }

    @Test func noGraceEndsThePairingWithItsLastSocket() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(guests, grace: 0)
        #expect(guests.attach(pass.secretHash))
        #expect(guests.detach(pass.secretHash, grace: 0), "ended at once")
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == nil)
        #expect(!guests.hasPasses)
    }

    @Test func theLifetimeEndsEvenAConnectedGuest() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(guests, lifetime: 3600)
        #expect(guests.attach(pass.secretHash))
        clock.advance(3599)
        #expect(guests.sweep().isEmpty)
        clock.advance(1)
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == nil)
        #expect(guests.sweep() == [pass], "swept, so its sockets are closed")
    }

    @Test func aMemberWhoLosesAccessTakesTheirPassesAndCodesAlong() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(guests)
        let code = guests.makeCode(memberID: member, memberName: "Ann", lifetime: 600).code
        let other = GuestDirectory.ClaimOutcome.unknown
        #expect(guests.revokeAll(of: UUID()).isEmpty, "another member's")
        #expect(guests.revokeAll(of: member) == [pass])
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == nil)
        #expect(
            guests.claim(code: code, deviceID: "d", deviceName: "V", publicKey: "k", lifetime: 60, grace: 60) == other,
            "the member's unused code is void too")
        #expect(!guests.hasPasses)
    }

    @Test func endingRemovesThePassAtOnce() {
        let guests = GuestDirectory(clock: clock.read)
        let (pass, secret) = paired(guests)
        #expect(guests.attach(pass.secretHash))
        #expect(guests.end(pass.secretHash) == pass)
        #expect(guests.end(pass.secretHash) == nil)
        #expect(guests.pass(for: request(cookie: secret), scheme: "http") == nil)
        #expect(!guests.detach(pass.secretHash, grace: 300), "its socket closing later changes nothing")
        #expect(!guests.hasPasses)
    }
}
