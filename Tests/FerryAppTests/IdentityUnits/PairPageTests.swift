import Testing

@testable import FerryApp

/// The guest page says how long a pairing lasts as the server is configured.
@Suite("Pair page")
struct PairPageTests {
    @Test func saysHowLongAPairingLasts() {
        #expect(
            PairPage.lasts(grace: 300, lifetime: 12 * 3600)
                == "until you end the pairing, or 5 minutes after you close this page (at most 12 hours)")
        #expect(PairPage.lasts(grace: 0, lifetime: 3600) == "for as long as this page stays open (at most 60 minutes)")
        #expect(PairPage.lasts(grace: 1, lifetime: 7200).hasPrefix("until you end the pairing, or 1 second after"))
    }

    @Test func spansRoundUpToTheirUnit() {
        #expect(PairPage.span(1) == "1 second")
        #expect(PairPage.span(119) == "119 seconds")
        #expect(PairPage.span(121) == "3 minutes")
        #expect(PairPage.span(7200) == "2 hours")
        #expect(PairPage.span(7201) == "3 hours")
    }

    @Test func rendersTheMemberAndWhetherAReloadKeepsThePairing() {
        let paired = PairPage(
            state: PageState(principal: nil), pairedWith: "Ann", pairingID: "abc", reconnectGrace: 300, lifetime: 60)
        #expect(paired.content["pairedWith"] as? String == "Ann")
        #expect(paired.content["pairingID"] as? String == "abc")
        #expect(paired.content["keepsOnReload"] as? Bool == true)
        let none = PairPage(
            state: PageState(principal: nil), pairedWith: nil, pairingID: nil, reconnectGrace: 0, lifetime: 60)
        #expect(none.content["pairedWith"] as? String == "")
        #expect(none.content["keepsOnReload"] as? Bool == false)
    }
}
