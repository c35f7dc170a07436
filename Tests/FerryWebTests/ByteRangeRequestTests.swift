import Testing

@testable import FerryWeb

@Suite("ByteRangeRequest")
struct ByteRangeRequestTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var range: String?
        var ifRange: String?
        var etag = ByteRangeRequestTests.strong
        var length: Int64 = 10_000
        var maxRanges = ByteRangeRequest.defaultMaxRanges
        var expected: RangeOutcome

        var testDescription: String {
            "Range: \(range ?? "-") If-Range: \(ifRange ?? "-") length \(length)"
        }
    }

    static let strong = EntityTag(opaque: "abc")
    static let weak = EntityTag(opaque: "abc", isWeak: true)
    static let lastModified: Int64 = 784_111_777
    static let same = "Sun, 06 Nov 1994 08:49:37 GMT"
    static let huge = "99999999999999999999999"

    static let rangeForms: [Case] = [
        Case(range: nil, expected: .full),
        Case(range: "bytes=0-499", expected: .partial([0...499])),
        Case(range: "bytes=500-999", expected: .partial([500...999])),
        Case(range: "bytes=9500-", expected: .partial([9500...9999])),
        Case(range: "bytes=-500", expected: .partial([9500...9999])),
        Case(range: "bytes=9999-", expected: .partial([9999...9999])),
        Case(range: "bytes=-1", expected: .partial([9999...9999])),
        Case(range: "bytes=0-0", expected: .partial([0...0])),
        Case(range: "bytes=0-20000", expected: .partial([0...9999])),
        Case(range: "bytes=-20000", expected: .partial([0...9999])),
        Case(range: "bytes=-10000", expected: .partial([0...9999])),
        Case(range: "BYTES=0-1", expected: .partial([0...1])),
        Case(range: "Bytes=0-1", expected: .partial([0...1])),
        Case(range: " bytes=0-1 ", expected: .partial([0...1])),
        Case(range: "bytes=0-\(huge)", expected: .partial([0...9999])),
        Case(range: "bytes=-\(huge)", expected: .partial([0...9999])),
        Case(range: "bytes=0-9223372036854775807", expected: .partial([0...9999])),
    ]

    static let unsatisfiable: [Case] = [
        Case(range: "bytes=-0", expected: .unsatisfiable),
        Case(range: "bytes=10000-", expected: .unsatisfiable),
        Case(range: "bytes=10000-10001", expected: .unsatisfiable),
        Case(range: "bytes=20000-30000, 40000-", expected: .unsatisfiable),
        Case(range: "bytes=-0,10000-", expected: .unsatisfiable),
        Case(range: "bytes=\(huge)-", expected: .unsatisfiable),
        Case(range: "bytes=9223372036854775807-", expected: .unsatisfiable),
        Case(range: "bytes=1-", length: 1, expected: .unsatisfiable),
    ]

    static let ignored: [Case] = [
        Case(range: "bytes=5-1", expected: .full),
        Case(range: "bytes=--5", expected: .full),
        Case(range: "bytes=a-b", expected: .full),
        Case(range: "bytes=", expected: .full),
        Case(range: "bytes=,", expected: .full),
        Case(range: "bytes=-", expected: .full),
        Case(range: "bytes 0-1", expected: .full),
        Case(range: "items=0-1", expected: .full),
        Case(range: "bytes =0-1", expected: .full),
        Case(range: "bytes=0-1-2", expected: .full),
        Case(range: "bytes=0 - 1", expected: .full),
        Case(range: "bytes=+1-2", expected: .full),
        Case(range: "bytes=1-+2", expected: .full),
        Case(range: "bytes=0x10-0x20", expected: .full),
        Case(range: "bytes=1-2,x", expected: .full),
        Case(range: "bytes=0-1;q=1", expected: .full),
        Case(range: "", expected: .full),
        Case(range: "=0-1", expected: .full),
        Case(range: "bytes=0-0", length: 0, expected: .full),
        Case(range: "bytes=-5", length: 0, expected: .full),
    ]

    static let multiple: [Case] = [
        Case(range: "bytes=0-0,-1", expected: .partial([0...0, 9999...9999])),
        Case(range: "bytes=0-99, 200-299 ,\t400-499", expected: .partial([0...99, 200...299, 400...499])),
        Case(range: "bytes=0-1,,5-6,", expected: .partial([0...1, 5...6])),
        Case(range: "bytes=9000-9999,0-99", expected: .partial([9000...9999, 0...99])),
        Case(range: "bytes=20000-30000, 0-9", expected: .partial([0...9])),
        Case(range: "bytes=-0, 0-9", expected: .partial([0...9])),
        // Coalescing: overlapping and adjacent ranges merge; order follows the earliest member.
        Case(range: "bytes=500-600,601-999", expected: .partial([500...999])),
        Case(range: "bytes=500-700,601-999", expected: .partial([500...999])),
        Case(range: "bytes=0-10,5-20,15-30", expected: .partial([0...30])),
        Case(range: "bytes=100-200,0-150", expected: .partial([0...200])),
        Case(range: "bytes=50-60,0-10,11-20", expected: .partial([50...60, 0...20])),
        Case(range: "bytes=0-9,0-9,0-9", expected: .partial([0...9])),
        Case(range: "bytes=9000-,-500", expected: .partial([9000...9999])),
        Case(range: "bytes=0-1,3-4", expected: .partial([0...1, 3...4])),
        Case(range: "bytes=0-1,2-3,10-20", length: 12, expected: .partial([0...3, 10...11])),
        Case(range: "bytes=0-\(huge),5-6", expected: .partial([0...9999])),
    ]

    static let ifRange: [Case] = [
        Case(range: "bytes=0-99", ifRange: "\"abc\"", expected: .partial([0...99])),
        Case(range: "bytes=0-99", ifRange: " \"abc\" ", expected: .partial([0...99])),
        Case(range: "bytes=0-99", ifRange: "\"xyz\"", expected: .full),
        Case(range: "bytes=0-99", ifRange: "W/\"abc\"", expected: .full),
        Case(range: "bytes=0-99", ifRange: "\"abc\"", etag: weak, expected: .full),
        Case(range: "bytes=0-99", ifRange: "W/\"abc\"", etag: weak, expected: .full),
        Case(range: "bytes=0-99", ifRange: same, expected: .partial([0...99])),
        Case(range: "bytes=0-99", ifRange: "Sun Nov  6 08:49:37 1994", expected: .partial([0...99])),
        Case(range: "bytes=0-99", ifRange: "Sun, 06 Nov 1994 08:49:36 GMT", expected: .full),
        Case(range: "bytes=0-99", ifRange: "Sun, 06 Nov 1994 08:49:38 GMT", expected: .full),
        Case(range: "bytes=0-99", ifRange: "Sun, 06 Nov 1994 08:49:38 GMT", etag: weak, expected: .full),
        Case(range: "bytes=0-99", ifRange: same, etag: weak, expected: .partial([0...99])),
        Case(range: "bytes=0-99", ifRange: "tomorrow", expected: .full),
        Case(range: "bytes=0-99", ifRange: "*", expected: .full),
        Case(range: "bytes=0-99", ifRange: "\"abc\", \"def\"", expected: .full),
        Case(range: "bytes=0-99", ifRange: "abc", expected: .full),
        Case(range: "bytes=0-99", ifRange: "", expected: .full),
        Case(range: nil, ifRange: "\"abc\"", expected: .full),
        Case(range: "bytes=5-1", ifRange: "\"abc\"", expected: .full),
        Case(range: "bytes=10000-", ifRange: "\"abc\"", expected: .unsatisfiable),
        Case(range: "bytes=10000-", ifRange: "\"xyz\"", expected: .full),
        Case(range: "bytes=0-1,5-6", ifRange: same, expected: .partial([0...1, 5...6])),
    ]

    static let limits: [Case] = [
        Case(range: "bytes=" + Array(repeating: "0-0", count: 16).joined(separator: ","), expected: .partial([0...0])),
        Case(
            range: "bytes=" + (0..<16).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ","),
            expected: .partial((0..<16).map { Int64($0 * 2)...Int64($0 * 2) })),
        Case(range: "bytes=" + (0..<17).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ","), expected: .full),
        Case(range: "bytes=" + Array(repeating: "0-0", count: 17).joined(separator: ","), expected: .full),
        Case(range: "bytes=0-0,2-2,4-4", maxRanges: 3, expected: .partial([0...0, 2...2, 4...4])),
        Case(range: "bytes=0-0,2-2,4-4", maxRanges: 2, expected: .full),
        Case(range: "bytes=0-0,,,2-2", maxRanges: 2, expected: .partial([0...0, 2...2])),
    ]

    private func run(_ c: Case) {
        let outcome = ByteRangeRequest.evaluate(
            rangeHeader: c.range,
            ifRange: c.ifRange,
            etag: c.etag,
            lastModified: Self.lastModified,
            length: c.length,
            maxRanges: c.maxRanges
        )
        #expect(outcome == c.expected)
    }

    @Test("single-range forms", arguments: rangeForms)
    func forms(_ c: Case) { run(c) }

    @Test("unsatisfiable ranges give 416", arguments: unsatisfiable)
    func unsatisfiableRanges(_ c: Case) { run(c) }

    @Test("invalid or foreign Range headers are ignored", arguments: ignored)
    func ignoredRanges(_ c: Case) { run(c) }

    @Test("multiple ranges: order, dropping and coalescing", arguments: multiple)
    func multipleRanges(_ c: Case) { run(c) }

    @Test("If-Range accepts only a strong validator", arguments: ifRange)
    func ifRangeCases(_ c: Case) { run(c) }

    @Test("the range-count limit is inclusive and counts members as sent", arguments: limits)
    func limitCases(_ c: Case) { run(c) }

    @Test("the default range limit is 16")
    func defaultLimit() {
        let seventeen = "bytes=" + (0..<17).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ",")
        let outcome = ByteRangeRequest.evaluate(
            rangeHeader: seventeen, ifRange: nil, etag: Self.strong, lastModified: Self.lastModified, length: 100)
        #expect(outcome == .full)
        #expect(ByteRangeRequest.defaultMaxRanges == 16)
    }

    @Test(
        "Content-Range values",
        arguments: [
            (Int64(0)...499, Int64(1234), "bytes 0-499/1234"),
            (1233...1233, 1234, "bytes 1233-1233/1234"),
            (0...0, 1, "bytes 0-0/1"),
            (
                100...9_223_372_036_854_775_806, 9_223_372_036_854_775_807,
                "bytes 100-9223372036854775806/9223372036854775807"
            ),
        ]
    )
    func contentRange(range: ClosedRange<Int64>, length: Int64, expected: String) {
        #expect(ByteRangeRequest.contentRange(range, length: length) == expected)
    }

    @Test("unsatisfied Content-Range")
    func unsatisfiedContentRange() {
        #expect(ByteRangeRequest.unsatisfiedContentRange(length: 1234) == "bytes */1234")
        #expect(ByteRangeRequest.unsatisfiedContentRange(length: 0) == "bytes */0")
    }
}
