import Foundation

/// `/pair`: where a browser without an account enters a guest pairing code (prefilled from the
/// link a member shared), then shares with that member. The page's module does the rest. A
/// browser whose guest pass is still live (it reloaded, or came back within the grace time) is
/// told so, and its page connects at once.
struct PairPage: IdentityPage {
    static let template = "pair"
    let title = "Pair with Ferry"
    var state: PageState
    /// The member a live guest pass of this browser is paired with, and the pairing's id (its
    /// room `pairing:ID`; the tab's kept transfer rows belong to this pairing only).
    var pairedWith: String?
    var pairingID: String?
    /// ``SignallingConfiguration/guestReconnectGrace`` and ``SignallingConfiguration/guestLifetime``.
    var reconnectGrace: TimeInterval
    var lifetime: TimeInterval

    var content: [String: any Sendable] {
        [
            "pairedWith": pairedWith ?? "", "pairingID": pairingID ?? "",
            "lasts": Self.lasts(grace: reconnectGrace, lifetime: lifetime),
            "keepsOnReload": reconnectGrace > 0, "guestPage": true,
        ]
    }

    /// How long a pairing lasts, for the page's explanation.
    static func lasts(grace: TimeInterval, lifetime: TimeInterval) -> String {
        let most = "at most \(span(lifetime))"
        guard grace > 0 else { return "for as long as this page stays open (\(most))" }
        return "until you end the pairing, or \(span(grace)) after you close this page (\(most))"
    }

    /// "1 second", "90 seconds", "5 minutes", "2 hours": rounded up to whole minutes past two
    /// minutes and to whole hours past two hours.
    static func span(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded(.up))
        let (count, unit) =
            seconds < 120
            ? (seconds, "second")
            : seconds < 7200 ? ((seconds + 59) / 60, "minute") : ((seconds + 3599) / 3600, "hour")
        return "\(count) \(unit)\(count == 1 ? "" : "s")"
    }
}
