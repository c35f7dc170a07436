import HTTPTypes
import Testing

@testable import FerryHTTP

/// Every parser limit at its boundary: the limit itself passes, one more is refused.
@Suite("Parser limits at the boundary")
struct HTTP1ParserLimitTests {
    static let limits = HTTP1RequestParser.Limits(
        maxRequestLineLength: 64, maxHeaderBytes: 256, maxHeaderCount: 4, maxChunkLineLength: 16)

    /// A request line of exactly `length` bytes (without CRLF).
    static func requestLine(length: Int) -> String {
        let fixed = "GET / HTTP/1.1".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1"
    }

    @Test("request line at the limit passes; one byte more is 414")
    func requestLineLength() {
        let ok = Self.requestLine(length: 64) + "\r\nHost: h\r\n\r\n"
        let tooLong = Self.requestLine(length: 65) + "\r\nHost: h\r\n\r\n"
        #expect(ParserHarness.rejection(ok, limits: Self.limits) == nil)
        #expect(ParserHarness.rejection(tooLong, limits: Self.limits) == .uriTooLong)
    }

    @Test("an overlong request line is refused before its end arrives")
    func requestLineWithoutEnd() {
        let partial = Self.requestLine(length: 200)
        #expect(ParserHarness.rejection(partial, limits: Self.limits) == .uriTooLong)
    }

    @Test("header count at the limit passes; one more is 431")
    func headerCount() {
        let three = (1...3).map { "X-\($0): v\r\n" }.joined()
        let four = (1...4).map { "X-\($0): v\r\n" }.joined()
        #expect(ParserHarness.rejection("GET / HTTP/1.1\r\nHost: h\r\n\(three)\r\n", limits: Self.limits) == nil)
        #expect(
            ParserHarness.rejection("GET / HTTP/1.1\r\nHost: h\r\n\(four)\r\n", limits: Self.limits)
                == .requestHeaderFieldsTooLarge)
    }

    @Test("head bytes at the limit pass; one byte more is 431")
    func headerBytes() {
        let prefix = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let suffix = "\r\n\r\n"
        let fill = 256 - prefix.utf8.count - suffix.utf8.count
        let exact = prefix + String(repeating: "v", count: fill) + suffix
        let over = prefix + String(repeating: "v", count: fill + 1) + suffix
        #expect(exact.utf8.count == 256)
        #expect(ParserHarness.rejection(exact, limits: Self.limits) == nil)
        #expect(ParserHarness.rejection(over, limits: Self.limits) == .requestHeaderFieldsTooLarge)
    }

    @Test("chunk size line at the limit passes; one byte more is 400")
    func chunkLine() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        let exact = "1;abcdefghijklmn"  // 16 bytes
        let over = "1;abcdefghijklmno"
        #expect(exact.utf8.count == 16)
        #expect(ParserHarness.rejection(head + exact + "\r\nx\r\n0\r\n\r\n", limits: Self.limits) == nil)
        #expect(ParserHarness.rejection(head + over + "\r\nx\r\n0\r\n\r\n", limits: Self.limits) == .badRequest)
    }
}
