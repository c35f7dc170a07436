import Testing

@testable import FerryApp

/// The idle-relay sweep runs only while the registry has something to sweep: open relays, or
/// closed ones whose late frames are still dropped quietly.
@Suite struct RelayRegistrySweepTests {
    @Test func hasWorkFromTheFirstAskUntilTheEndedGraceIsOver() {
        var configuration = SignallingConfiguration()
        configuration.relayIdleTimeout = .seconds(60)
        let relays = RelayRegistry(configuration: configuration)
        #expect(!relays.hasWork)
        let id = "00112233445566ff"
        #expect(relays.open(id, from: "a", owner: "user:a", to: "b") == .pending)
        #expect(relays.hasWork, "a relay waiting for its other end")
        _ = relays.open(id, from: "b", owner: "user:b", to: "a")

        let start = ContinuousClock.now
        #expect(relays.sweepIdle(now: start + .seconds(59)).isEmpty, "not idle yet")
        let swept = relays.sweepIdle(now: start + .seconds(61))
        #expect(swept.map(\.relay) == [id])
        #expect(Set(swept.flatMap(\.ends)) == ["a", "b"])
        #expect(relays.hasWork, "its late frames are still dropped quietly")
        #expect(relays.sweepIdle(now: start + .seconds(61) + RelayRegistry.endedGrace).isEmpty)
        #expect(!relays.hasWork)
    }
}
