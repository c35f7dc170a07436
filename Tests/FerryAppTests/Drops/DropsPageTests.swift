import Testing

@testable import FerryApp

/// The drops page offers the expiries the server allows: never one it would refuse, always its
/// longest, its default selected.
@Suite("Drops page expiry choices")
struct DropsPageTests {
    private func shown(default preferred: Double, max longest: Double) -> [String] {
        DropsPage.expiryChoices(default: preferred, max: longest).map { "\($0.label)\($0.selected ? " *" : "")" }
    }

    @Test func theDefaultsOfferOneHourToThirtyDays() {
        #expect(shown(default: 7 * 86_400, max: 30 * 86_400) == ["1 hour", "1 day", "7 days *", "30 days"])
    }

    @Test func aShorterLimitDropsWhatItWouldRefuseAndOffersItself() {
        #expect(shown(default: 86_400, max: 3 * 86_400) == ["1 hour", "1 day *", "3 days"])
        #expect(
            shown(default: 7 * 86_400, max: 2 * 3600) == ["1 hour", "2 hours *"],
            "the default capped as the server caps it")
        #expect(shown(default: 600, max: 600) == ["10 minutes *"])
    }

    @Test func aLongerLimitAndAnUncommonDefaultAreOffered() {
        #expect(
            shown(default: 36 * 3600, max: 90 * 86_400) == [
                "1 hour", "1 day", "36 hours *", "7 days", "30 days", "90 days",
            ])
        let choices = DropsPage.expiryChoices(default: 7 * 86_400, max: 90 * 86_400)
        #expect(choices.map(\.seconds) == [3600, 86_400, 604_800, 2_592_000, 7_776_000])
    }

    @Test func labelsUseTheLargestWholeUnit() {
        #expect(DropsPage.label(3600) == "1 hour")
        #expect(DropsPage.label(5400) == "90 minutes")
        #expect(DropsPage.label(90_061) == "90061 seconds")
        #expect(DropsPage.label(60) == "1 minute")
    }
}
