import Foundation

/// `/drops`: a signed-in member creates a drop (files, a folder or a text, encrypted in the
/// browser) and manages their drops. The page's module does the work over the JSON API.
///
/// The expiry choices follow the server's limits (`defaultDropLifetime`, `maxDropLifetime`), so
/// the form never offers what the server would refuse, and offers the longest it allows.
struct DropsPage: IdentityPage {
    static let template = "drops"
    let title = "Drops"
    var state: PageState
    var defaultLifetime: TimeInterval
    var maxLifetime: TimeInterval

    var content: [String: any Sendable] {
        [
            "expiryChoices": Self.expiryChoices(default: defaultLifetime, max: maxLifetime).map { choice in
                ["seconds": choice.seconds, "label": choice.label, "selected": choice.selected]
                    as [String: any Sendable]
            },
            "maxLifetime": Int(maxLifetime),
        ]
    }

    struct ExpiryChoice: Equatable {
        var seconds: Int
        var label: String
        var selected: Bool
    }

    /// 1 hour, 1 day, 7 and 30 days where the limit allows them, and the default and the longest
    /// allowed besides, in order; the default selected.
    static func expiryChoices(default defaultLifetime: TimeInterval, max maxLifetime: TimeInterval) -> [ExpiryChoice] {
        let longest = Int(maxLifetime)
        let preferred = min(Int(defaultLifetime), longest)
        let common = [3600, 86_400, 7 * 86_400, 30 * 86_400].filter { $0 <= longest }
        return Set(common + [preferred, longest]).sorted().map { seconds in
            ExpiryChoice(seconds: seconds, label: label(seconds), selected: seconds == preferred)
        }
    }

    /// "1 hour", "36 hours", "7 days", "90 minutes": the largest whole unit.
    static func label(_ seconds: Int) -> String {
        let units: [(Int, String)] = [(86_400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
        let (size, name) = units.first { seconds % $0.0 == 0 && seconds >= $0.0 } ?? (1, "second")
        let count = seconds / size
        return "\(count) \(name)\(count == 1 ? "" : "s")"
    }
}
