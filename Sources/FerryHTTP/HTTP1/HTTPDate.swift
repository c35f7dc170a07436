import Foundation

/// HTTP-date formatting and parsing (RFC 9110 §5.6.7) with calendar arithmetic only.
///
/// No `DateFormatter`: it is slow, locale- and time-zone-sensitive, and not `Sendable`. The proleptic Gregorian
/// calendar conversions are Howard Hinnant's `days_from_civil`/`civil_from_days`, exact for every year.
public enum HTTPDate {
    /// 0001-01-01T00:00:00Z: the earliest instant an IMF-fixdate (four-digit year) can express.
    public static let earliest: Int64 = -62_135_596_800
    /// 9999-12-31T23:59:59Z: the latest instant an IMF-fixdate can express.
    public static let latest: Int64 = 253_402_300_799

    private static let dayNames: [[UInt8]] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].map { Array($0.utf8) }
    private static let longDayNames: [[UInt8]] = [
        "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    ].map { Array($0.utf8) }
    private static let monthNames: [[UInt8]] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ].map { Array($0.utf8) }

    /// Formats seconds since the Unix epoch as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///
    /// Values outside ``earliest``…``latest`` are clamped, since the format has exactly four year digits.
    public static func format(_ secondsSince1970: Int64) -> String {
        let seconds = min(max(secondsSince1970, earliest), latest)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        let weekday = Int(positiveModulo(days + 4, 7))  // 1970-01-01 was a Thursday.

        var out: [UInt8] = []
        out.reserveCapacity(29)
        out.append(contentsOf: dayNames[weekday])
        out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")])
        appendDigits(&out, Int(day), count: 2)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: monthNames[Int(month) - 1])
        out.append(UInt8(ascii: " "))
        appendDigits(&out, Int(year), count: 4)
        out.append(UInt8(ascii: " "))
        appendDigits(&out, Int(secondOfDay / 3600), count: 2)
        out.append(UInt8(ascii: ":"))
        appendDigits(&out, Int(secondOfDay / 60 % 60), count: 2)
        out.append(UInt8(ascii: ":"))
        appendDigits(&out, Int(secondOfDay % 60), count: 2)
        out.append(contentsOf: Array(" GMT".utf8))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses an HTTP-date in any of the three formats of RFC 9110 §5.6.7, reading the clock only for the two-digit
    /// years of RFC 850 dates.
    ///
    /// - Returns: Seconds since the Unix epoch, or `nil` when the value is not a valid HTTP-date.
    public static func parse(_ s: String) -> Int64? {
        parse(s, now: nil)
    }

    /// Parses an HTTP-date in any of the three formats of RFC 9110 §5.6.7:
    ///
    /// - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
    /// - obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
    /// - obsolete asctime: `Sun Nov  6 08:49:37 1994` (day padded with a space or a zero)
    ///
    /// Leniency, following the RFC's advice to be robust: surrounding OWS is ignored, day names, month names and
    /// `GMT` are matched case-insensitively, and the day name is not checked against the date. Fields are range
    /// checked (the day against its month, leap years included; second 60 is allowed for leap seconds).
    ///
    /// - Parameters:
    ///   - s: The field value.
    ///   - now: The current time in seconds since the epoch, used only for RFC 850 two-digit years, which are read
    ///     as the most recent matching year unless that is more than 50 years in the future (RFC 9110 §5.6.7).
    ///     `nil` reads the system clock when needed.
    /// - Returns: Seconds since the Unix epoch, or `nil` when the value is not a valid HTTP-date.
    public static func parse(_ s: String, now: Int64?) -> Int64? {
        let bytes = Array(FieldSyntax.trimmingOWS(Array(s.utf8)[...]))
        if bytes.count == 29, bytes[3] == UInt8(ascii: ",") {
            return parseIMFFixdate(bytes)
        }
        if bytes.count == 24 {
            return parseAsctime(bytes)
        }
        if let comma = bytes.firstIndex(of: UInt8(ascii: ",")), comma >= 6 {
            return parseRFC850(bytes, comma: comma, now: now)
        }
        return nil
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func parseIMFFixdate(_ b: [UInt8]) -> Int64? {
        guard nameIndex(b[0..<3], in: dayNames) != nil,
            b[4] == UInt8(ascii: " "), b[7] == UInt8(ascii: " "), b[11] == UInt8(ascii: " "),
            b[16] == UInt8(ascii: " "), b[25] == UInt8(ascii: " "),
            isGMT(b[26..<29]),
            let day = number(b[5..<7]),
            let month = nameIndex(b[8..<11], in: monthNames),
            let year = number(b[12..<16])
        else { return nil }
        return timestamp(year: year, month: month + 1, day: day, time: b[17..<25])
    }

    /// `Sun Nov  6 08:49:37 1994`
    private static func parseAsctime(_ b: [UInt8]) -> Int64? {
        guard nameIndex(b[0..<3], in: dayNames) != nil,
            b[3] == UInt8(ascii: " "), b[7] == UInt8(ascii: " "), b[10] == UInt8(ascii: " "),
            b[19] == UInt8(ascii: " "),
            let month = nameIndex(b[4..<7], in: monthNames),
            let year = number(b[20..<24])
        else { return nil }
        let day: Int64?
        if b[8] == UInt8(ascii: " ") {
            day = number(b[9..<10])
        } else {
            day = number(b[8..<10])
        }
        guard let day else { return nil }
        return timestamp(year: year, month: month + 1, day: day, time: b[11..<19])
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`
    private static func parseRFC850(_ b: [UInt8], comma: Int, now: Int64?) -> Int64? {
        let rest = b[(comma + 1)...]
        guard nameIndex(b[0..<comma], in: longDayNames) != nil, rest.count == 23 else { return nil }
        let r = rest.startIndex
        guard b[r] == UInt8(ascii: " "), b[r + 3] == UInt8(ascii: "-"), b[r + 7] == UInt8(ascii: "-"),
            b[r + 10] == UInt8(ascii: " "), b[r + 19] == UInt8(ascii: " "),
            isGMT(b[(r + 20)..<(r + 23)]),
            let day = number(b[(r + 1)..<(r + 3)]),
            let month = nameIndex(b[(r + 4)..<(r + 7)], in: monthNames),
            let twoDigitYear = number(b[(r + 8)..<(r + 10)])
        else { return nil }
        let nowSeconds = now ?? Int64(Date().timeIntervalSince1970)
        let currentYear = civil(fromDays: floorDivide(min(max(nowSeconds, earliest), latest), 86_400).quotient).year
        var year = currentYear - positiveModulo(currentYear, 100) + twoDigitYear
        if year > currentYear + 50 {
            year -= 100
        }
        return timestamp(year: year, month: month + 1, day: day, time: b[(r + 11)..<(r + 19)])
    }

    /// Validates the fields and `HH:MM:SS`, then converts to seconds since the epoch.
    private static func timestamp(year: Int64, month: Int64, day: Int64, time: ArraySlice<UInt8>) -> Int64? {
        let t = time.startIndex
        guard time.count == 8, time[t + 2] == UInt8(ascii: ":"), time[t + 5] == UInt8(ascii: ":"),
            let hour = number(time[t..<(t + 2)]),
            let minute = number(time[(t + 3)..<(t + 5)]),
            let second = number(time[(t + 6)..<(t + 8)]),
            hour <= 23, minute <= 59, second <= 60,
            day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        return days(fromYear: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's `days_from_civil`).
    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day number (Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func positiveModulo(_ a: Int64, _ b: Int64) -> Int64 {
        floorDivide(a, b).remainder
    }

    private static func appendDigits(_ out: inout [UInt8], _ value: Int, count: Int) {
        var divisor = 1
        for _ in 1..<count {
            divisor *= 10
        }
        var remaining = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }

    /// Fixed-width decimal: every byte must be a digit.
    private static func number(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for byte in bytes {
            guard FieldSyntax.isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return bytes.isEmpty ? nil : value
    }

    private static func nameIndex(_ bytes: ArraySlice<UInt8>, in names: [[UInt8]]) -> Int64? {
        names.firstIndex { caseInsensitiveEqual($0[...], bytes) }.map(Int64.init)
    }

    private static func isGMT(_ bytes: ArraySlice<UInt8>) -> Bool {
        caseInsensitiveEqual(Array("GMT".utf8)[...], bytes)
    }

    private static func caseInsensitiveEqual(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }
}
