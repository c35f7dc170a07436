import Testing

@testable import FerryWeb

@Suite("ConditionalRequest")
struct ConditionalRequestTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "GET"
        var ifMatch: String?
        var ifNoneMatch: String?
        var ifModifiedSince: String?
        var ifUnmodifiedSince: String?
        var etag = ConditionalRequestTests.strong
        var expected: ConditionalOutcome

        var testDescription: String { name }
    }

    static let strong = EntityTag(opaque: "abc")
    static let weak = EntityTag(opaque: "abc", isWeak: true)
    /// Last-Modified of the representation: Sun, 06 Nov 1994 08:49:37 GMT.
    static let lastModified: Int64 = 784_111_777
    static let same = "Sun, 06 Nov 1994 08:49:37 GMT"
    static let sameAsctime = "Sun Nov  6 08:49:37 1994"
    static let earlier = "Sun, 06 Nov 1994 08:49:36 GMT"
    static let later = "Sun, 06 Nov 1994 08:49:38 GMT"

    static let cases: [Case] = [
        Case(name: "no conditional headers", expected: .proceed),
        Case(name: "no conditional headers, PUT", method: "PUT", expected: .proceed),

        // Step 1: If-Match, strong comparison.
        Case(name: "If-Match equal strong tag", ifMatch: "\"abc\"", expected: .proceed),
        Case(name: "If-Match other tag", ifMatch: "\"xyz\"", expected: .preconditionFailed),
        Case(name: "If-Match * on existing representation", ifMatch: "*", expected: .proceed),
        Case(name: "If-Match weak tag never matches", ifMatch: "W/\"abc\"", expected: .preconditionFailed),
        Case(name: "If-Match list containing the tag", ifMatch: "\"x\", \"abc\"", expected: .proceed),
        Case(name: "If-Match list without the tag", ifMatch: "\"x\", \"y\"", expected: .preconditionFailed),
        Case(name: "If-Match against weak current tag", ifMatch: "\"abc\"", etag: weak, expected: .preconditionFailed),
        Case(name: "If-Match * against weak current tag", ifMatch: "*", etag: weak, expected: .proceed),
        Case(name: "If-Match malformed fails closed", ifMatch: "abc", expected: .preconditionFailed),
        Case(name: "If-Match empty list fails", ifMatch: "", expected: .preconditionFailed),
        Case(name: "If-Match failure on PUT", method: "PUT", ifMatch: "\"xyz\"", expected: .preconditionFailed),
        Case(name: "If-Match success on DELETE", method: "DELETE", ifMatch: "\"abc\"", expected: .proceed),

        // Step 2: If-Unmodified-Since only without If-Match.
        Case(name: "IUS equal date", ifUnmodifiedSince: same, expected: .proceed),
        Case(name: "IUS later date", ifUnmodifiedSince: later, expected: .proceed),
        Case(name: "IUS earlier date", ifUnmodifiedSince: earlier, expected: .preconditionFailed),
        Case(name: "IUS earlier date, POST", method: "POST", ifUnmodifiedSince: earlier, expected: .preconditionFailed),
        Case(name: "IUS invalid date ignored", ifUnmodifiedSince: "yesterday", expected: .proceed),
        Case(name: "IUS asctime form", ifUnmodifiedSince: sameAsctime, expected: .proceed),
        Case(
            name: "IUS ignored when If-Match present and matching", ifMatch: "\"abc\"", ifUnmodifiedSince: earlier,
            expected: .proceed),
        Case(
            name: "IUS ignored when If-Match is *", ifMatch: "*", ifUnmodifiedSince: earlier, expected: .proceed),

        // Step 3: If-None-Match, weak comparison.
        Case(name: "INM equal tag GET", ifNoneMatch: "\"abc\"", expected: .notModified),
        Case(name: "INM equal tag HEAD", method: "HEAD", ifNoneMatch: "\"abc\"", expected: .notModified),
        Case(name: "INM equal tag POST", method: "POST", ifNoneMatch: "\"abc\"", expected: .preconditionFailed),
        Case(name: "INM equal tag PUT", method: "PUT", ifNoneMatch: "\"abc\"", expected: .preconditionFailed),
        Case(name: "INM equal tag DELETE", method: "DELETE", ifNoneMatch: "\"abc\"", expected: .preconditionFailed),
        Case(name: "INM weak form of the tag", ifNoneMatch: "W/\"abc\"", expected: .notModified),
        Case(name: "INM against weak current tag", ifNoneMatch: "\"abc\"", etag: weak, expected: .notModified),
        Case(name: "INM other tag", ifNoneMatch: "\"xyz\"", expected: .proceed),
        Case(name: "INM * GET", ifNoneMatch: "*", expected: .notModified),
        Case(name: "INM * PUT", method: "PUT", ifNoneMatch: "*", expected: .preconditionFailed),
        Case(name: "INM list containing weak tag", ifNoneMatch: "\"x\", W/\"abc\"", expected: .notModified),
        Case(name: "INM list without the tag", ifNoneMatch: "\"x\", W/\"y\"", expected: .proceed),
        Case(
            name: "INM lowercase method is not GET", method: "get", ifNoneMatch: "\"abc\"",
            expected: .preconditionFailed),
        Case(name: "INM empty list matches nothing", ifNoneMatch: "", expected: .proceed),

        // Step 4: If-Modified-Since only without If-None-Match, only GET/HEAD.
        Case(name: "IMS equal date", ifModifiedSince: same, expected: .notModified),
        Case(name: "IMS later date", ifModifiedSince: later, expected: .notModified),
        Case(name: "IMS earlier date", ifModifiedSince: earlier, expected: .proceed),
        Case(name: "IMS invalid date ignored", ifModifiedSince: "Sun, 06 Nov 1994", expected: .proceed),
        Case(name: "IMS asctime form", ifModifiedSince: sameAsctime, expected: .notModified),
        Case(name: "IMS HEAD", method: "HEAD", ifModifiedSince: same, expected: .notModified),
        Case(name: "IMS ignored for POST", method: "POST", ifModifiedSince: same, expected: .proceed),
        Case(name: "IMS ignored for PUT", method: "PUT", ifModifiedSince: later, expected: .proceed),
        Case(
            name: "IMS ignored when INM present and not matching", ifNoneMatch: "\"xyz\"", ifModifiedSince: same,
            expected: .proceed),
        Case(
            name: "IMS ignored when INM is an empty list", ifNoneMatch: "", ifModifiedSince: same, expected: .proceed),
        Case(
            name: "malformed INM ignored, IMS evaluated", ifNoneMatch: "abc", ifModifiedSince: same,
            expected: .notModified),
        Case(name: "malformed INM alone ignored", ifNoneMatch: "abc", expected: .proceed),
        Case(
            name: "INM matching wins over stale IMS", ifNoneMatch: "\"abc\"", ifModifiedSince: earlier,
            expected: .notModified),

        // Precedence across steps.
        Case(
            name: "failing If-Match beats matching INM", ifMatch: "\"xyz\"", ifNoneMatch: "\"abc\"",
            expected: .preconditionFailed),
        Case(
            name: "failing If-Match beats IMS", ifMatch: "\"xyz\"", ifModifiedSince: same,
            expected: .preconditionFailed),
        Case(
            name: "failing IUS beats matching INM", ifNoneMatch: "\"abc\"", ifUnmodifiedSince: earlier,
            expected: .preconditionFailed),
        Case(
            name: "passing If-Match then matching INM", ifMatch: "\"abc\"", ifNoneMatch: "\"abc\"",
            expected: .notModified),
        Case(name: "If-Match * and INM * on GET", ifMatch: "*", ifNoneMatch: "*", expected: .notModified),
        Case(
            name: "passing IUS then IMS not modified", ifModifiedSince: same, ifUnmodifiedSince: later,
            expected: .notModified),
        Case(
            name: "all four, all passing", ifMatch: "\"abc\"", ifNoneMatch: "\"xyz\"", ifModifiedSince: earlier,
            ifUnmodifiedSince: same, expected: .proceed),
    ]

    @Test("RFC 9110 §13.2.2 evaluation order", arguments: cases)
    func evaluate(_ c: Case) {
        let outcome = ConditionalRequest.evaluate(
            method: c.method,
            ifMatch: c.ifMatch,
            ifNoneMatch: c.ifNoneMatch,
            ifModifiedSince: c.ifModifiedSince,
            ifUnmodifiedSince: c.ifUnmodifiedSince,
            etag: c.etag,
            lastModified: Self.lastModified
        )
        #expect(outcome == c.expected)
    }
}
