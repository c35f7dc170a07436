import FerryHTTP
import Foundation
import Testing

@testable import FerryWeb

@Suite("HTTPDate")
struct HTTPDateTests {
    /// 2026-01-01T00:00:00Z, a fixed "now" for two-digit RFC 850 years.
    static let now: Int64 = 1_767_225_600

    @Test(
        "formats IMF-fixdate",
        arguments: [
            (Int64(0), "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (-2_208_988_800, "Mon, 01 Jan 1900 00:00:00 GMT"),
            (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (HTTPDate.latest, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (HTTPDate.earliest, "Mon, 01 Jan 0001 00:00:00 GMT"),
            (Int64.max, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (Int64.min, "Mon, 01 Jan 0001 00:00:00 GMT"),
        ]
    )
    func format(seconds: Int64, expected: String) {
        #expect(HTTPDate.format(seconds) == expected)
    }

    /// The three examples of RFC 9110 §5.6.7, all the same instant.
    @Test(
        "parses the three formats of RFC 9110 §5.6.7",
        arguments: [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun Nov 06 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT\t",
            "sun, 06 nov 1994 08:49:37 gmt",
            "Mon, 06 Nov 1994 08:49:37 GMT",
        ]
    )
    func parseFormats(value: String) {
        #expect(HTTPDate.parse(value, now: Self.now) == 784_111_777)
    }

    @Test(
        "rejects invalid dates",
        arguments: [
            "", "garbage", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08-49-37 GMT", "Sun, 06 Nov 1994 08:49:3a GMT", "Sun, 29 Feb 1900 00:00:00 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 94", "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 1994 GMT",
            "1994-11-06T08:49:37Z", "784111777",
        ]
    )
    func parseInvalid(value: String) {
        #expect(HTTPDate.parse(value, now: Self.now) == nil)
    }

    @Test(
        "RFC 850 two-digit years resolve to the most recent year not more than 50 years ahead",
        arguments: [
            ("Sunday, 06-Nov-94 08:49:37 GMT", Int64(784_111_777)),
            ("Friday, 06-Nov-76 08:49:37 GMT", Int64(3_371_878_177)),  // 2076: exactly 50 years ahead
            ("Sunday, 06-Nov-77 08:49:37 GMT", Int64(247_654_177)),  // 2077 would be 51 ahead → 1977
            ("Thursday, 01-Jan-26 00:00:00 GMT", Int64(1_767_225_600)),
        ]
    )
    func rfc850Pivot(value: String, expected: Int64) {
        #expect(HTTPDate.parse(value, now: Self.now) == expected)
    }

    @Test("leap days and leap seconds")
    func leapCases() {
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 12:00:00 GMT") == 951_825_600)
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 00:00:00 GMT") != nil)
        #expect(HTTPDate.parse("Sat, 29 Feb 2025 00:00:00 GMT") == nil)
        // 23:59:60 is allowed by the grammar and lands on the next second.
        #expect(HTTPDate.parse("Sat, 31 Dec 2016 23:59:60 GMT") == 1_483_228_800)
    }

    @Test(
        "format then parse round-trips",
        arguments: [
            Int64(0), 1, -1, 59, 86_399, 86_400, 784_111_777, 951_782_400, 1_767_225_600, 2_147_483_647,
            4_102_444_800, -2_208_988_800, HTTPDate.latest, HTTPDate.earliest,
        ]
    )
    func roundTrip(seconds: Int64) {
        #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
    }

    @Test("round-trips and agrees with Foundation across four centuries")
    func agreesWithFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Step by a prime number of seconds so every weekday, month and time of day comes up.
        var seconds: Int64 = -5_000_000_000
        while seconds < 8_000_000_000 {
            let formatted = HTTPDate.format(seconds)
            #expect(formatted == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
            #expect(HTTPDate.parse(formatted) == seconds)
            seconds += 6_700_417
        }
    }

    @Test("asctime and RFC 850 forms of the same instant parse identically")
    func obsoleteFormsAgree() {
        let imf = HTTPDate.parse("Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(imf == 951_782_400)
        #expect(HTTPDate.parse("Tue Feb 29 00:00:00 2000") == imf)
        #expect(HTTPDate.parse("Tuesday, 29-Feb-00 00:00:00 GMT", now: Self.now) == imf)
    }
}
