import Foundation

/// A drop's lifetime as typed on the command line: a number and a unit, `s`, `m`, `h`, `d` or
/// `w` (`90s`, `30m`, `12h`, `1d`, `2w`); a bare number is seconds.
public enum ExpiryDuration {
    /// The seconds of `text`, nil when it is not a positive duration.
    public static func seconds(_ text: String) -> Int? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = text.last else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        let (number, unit) = units[last].map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let value = Int(number), value > 0 else { return nil }
        let (seconds, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : seconds
    }

    /// `seconds` in words, in the largest unit that divides it: `30 days`, `2 hours`, `90 seconds`.
    public static func words(_ seconds: Int) -> String {
        let units: [(Int, String)] = [(86_400, "day"), (3600, "hour"), (60, "minute")]
        let (size, name) = units.first { seconds > 0 && seconds % $0.0 == 0 } ?? (1, "second")
        let count = seconds / size
        return "\(count) \(name)\(count == 1 ? "" : "s")"
    }
}
