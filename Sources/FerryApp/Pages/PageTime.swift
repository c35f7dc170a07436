import Foundation

/// A time as the templates show it: `iso` for `<time datetime>`, `text` for people.
enum PageTime {
    static func values(_ date: Date) -> [String: any Sendable] {
        ["iso": iso(date), "text": text(date)]
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `1 Dec 2026, 19:14 UTC`.
    static func text(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[(parts.month ?? 1) - 1]
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        return "\(parts.day ?? 1) \(month) \(parts.year ?? 1970), \(time) UTC"
    }
}
