import Foundation

/// `/pair`: where a browser without an account enters a guest pairing code (prefilled from the
/// link a member shared), then shares with that member. The page's module does the rest. A
/// browser whose guest pass is still live (it reloaded, or came back within the grace time) is
/// told so, and its page connects at once.
struct PairPage: IdentityPage {
    static let template = "pair"
    let title = "Pair with Ferry"
    var state: PageState
    /// The member a live guest pass of this browser is paired with.
    var pairedWith: String?
    /// ``SignallingConfiguration/guestReconnectGrace``.
    var reconnectGrace: TimeInterval

    var content: [String: any Sendable] {
        ["pairedWith": pairedWith ?? "", "lasts": Self.lasts(reconnectGrace)]
    }

    /// How long a pairing lasts, for the page's explanation.
    static func lasts(_ grace: TimeInterval) -> String {
        guard grace > 0 else { return "for as long as this page stays open" }
        let seconds = Int(grace.rounded(.up))
        let span =
            seconds < 120
            ? "\(seconds) seconds"
            : seconds % 60 == 0 ? "\(seconds / 60) minutes" : "\(seconds / 60 + 1) minutes"
        return "until you end the pairing, or \(span) after you close this page"
    }
}
