import Testing

@testable import FerryApp

/// The relay limits hold per socket at both ends and per person, whoever asks; a relay asked for
/// and never answered gives its place back; an id that is another relay's is refused without
/// disturbing that relay.
@Suite struct RelayRegistryLimitsTests {
    func registry(_ change: (inout SignallingConfiguration) -> Void = { _ in }) -> RelayRegistry {
        var configuration = SignallingConfiguration()
        configuration.maxRelays = 64
        configuration.maxRelaysPerPeer = 4
        configuration.maxRelaysPerUser = 8
        change(&configuration)
        return RelayRegistry(configuration: configuration)
    }

    func id(_ number: Int) -> String {
        String(repeating: "0", count: 16 - String(number, radix: 16).count) + String(number, radix: 16)
    }

    @Test func aPeerAskedForByManyIsLimitedLikeOneThatAsks() {
        let relays = registry()
        // Four of Eve's sockets each ask for a relay with Bob's one socket: Bob is then at his limit.
        for number in 0..<4 {
            #expect(relays.open(id(number), from: "eve\(number)", owner: "user:eve", to: "bob") == .pending)
        }
        let fifth = relays.open(id(4), from: "eve4", owner: "user:eve", to: "bob")
        #expect(fifth == .refused("A peer may have at most 4 relays.", tellOther: true))
        #expect(relays.count == 4)
    }

    @Test func onePersonWithManySocketsHasAtMostItsShare() {
        let relays = registry()
        for number in 0..<8 {
            #expect(relays.open(id(number), from: "eve\(number)", owner: "user:eve", to: "x\(number)") == .pending)
        }
        let ninth = relays.open(id(8), from: "eve8", owner: "user:eve", to: "x8")
        #expect(ninth == .refused("One person may open at most 8 relays.", tellOther: true))
        // Someone else still gets one.
        #expect(relays.open(id(9), from: "bob", owner: "user:bob", to: "carol") == .pending)
        #expect(
            relays.open(id(9), from: "carol", owner: "user:carol", to: "bob") == .opened(first: "bob", second: "carol"))
    }

    @Test func anUnansweredAskGivesItsPlaceBack() {
        let relays = registry { $0.relayPendingTimeout = .seconds(30) }
        let start = ContinuousClock.now
        #expect(relays.open(id(1), from: "eve", owner: "user:eve", to: "bob", now: start) == .pending)
        #expect(relays.open(id(2), from: "ann", owner: "user:ann", to: "bob", now: start) == .pending)
        #expect(
            relays.open(id(2), from: "bob", owner: "user:bob", to: "ann", now: start)
                == .opened(first: "ann", second: "bob"))
        #expect(relays.sweepIdle(now: start + .seconds(29)).isEmpty)
        let swept = relays.sweepIdle(now: start + .seconds(30))
        #expect(swept.map(\.relay) == [id(1)], "the open relay is not idle yet")
        #expect(relays.relays(of: "bob").map(\.relay) == [id(2)])
    }

    @Test func anIdThatIsAnotherRelaysIsRefusedToTheAskerAlone() {
        let relays = registry()
        #expect(relays.open(id(7), from: "ann", owner: "user:ann", to: "bob") == .pending)
        #expect(relays.open(id(7), from: "bob", owner: "user:bob", to: "ann") == .opened(first: "ann", second: "bob"))
        // A second tab of Ann's, not an end of it, asks with Bob for the same id.
        #expect(
            relays.open(id(7), from: "ann2", owner: "user:ann", to: "bob")
                == .refused("This relay id is taken.", tellOther: false))
        #expect(relays.route(RelayRegistry.key(id(7))!, from: "ann", bytes: 10) != nil, "the relay goes on")
    }
}
