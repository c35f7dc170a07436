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

    @Test func unansweredAsksCannotFillAnotherPeersPlaces() {
        let relays = registry()
        // Eve's sockets ask Bob for relays he never answers: they do not take his places…
        for number in 0..<6 {
            #expect(relays.open(id(number), from: "eve\(number)", owner: "user:eve", to: "bob") == .pending)
        }
        // …so Bob and Ann still get theirs, up to his limit of 4, counting those he asked for.
        for number in 10..<14 {
            #expect(relays.open(id(number), from: "bob", owner: "user:bob", to: "ann\(number)") == .pending)
        }
        let fifth = relays.open(id(14), from: "bob", owner: "user:bob", to: "ann14")
        #expect(fifth == .refused("A peer may have at most 4 relays.", tellOther: true))
        // One socket may have at most two asks of another unanswered.
        #expect(relays.open(id(20), from: "eve0", owner: "user:eve", to: "carol") == .pending)
        #expect(relays.open(id(21), from: "eve0", owner: "user:eve", to: "carol") == .pending)
        let third = relays.open(id(22), from: "eve0", owner: "user:eve", to: "carol")
        #expect(third == .refused("Too many relays asked of this peer and not yet answered.", tellOther: false))
    }

    @Test func aPeerInFourOpenRelaysHasNoPlaceLeft() {
        let relays = registry()
        for number in 0..<4 {
            #expect(relays.open(id(number), from: "x\(number)", owner: "user:x\(number)", to: "bob") == .pending)
            #expect(
                relays.open(id(number), from: "bob", owner: "user:bob", to: "x\(number)")
                    == .opened(first: "x\(number)", second: "bob"))
        }
        let fifth = relays.open(id(4), from: "x4", owner: "user:x4", to: "bob")
        #expect(fifth == .refused("A peer may have at most 4 relays.", tellOther: true))
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
