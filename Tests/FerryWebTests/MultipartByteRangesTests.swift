import Testing

@testable import FerryWeb

@Suite("MultipartByteRanges")
struct MultipartByteRangesTests {
    /// Assembles the body the way the server will: part header, data, …, closing delimiter.
    static func body(_ multipart: MultipartByteRanges, data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, range) in multipart.ranges.enumerated() {
            out += Array(multipart.partHeader(index: index).utf8)
            out += data[Int(range.lowerBound)...Int(range.upperBound)]
        }
        out += Array(multipart.closingDelimiter.utf8)
        return out
    }

    @Test("exact framing of a two-part body")
    func exactFraming() {
        let multipart = MultipartByteRanges(
            boundary: "THIS_STRING_SEPARATES", contentType: "text/plain; charset=utf-8", length: 10,
            ranges: [0...2, 5...9])
        let expected =
            "--THIS_STRING_SEPARATES\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Range: bytes 0-2/10\r\n\r\n"
            + "012"
            + "\r\n--THIS_STRING_SEPARATES\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Range: bytes 5-9/10\r\n\r\n"
            + "56789"
            + "\r\n--THIS_STRING_SEPARATES--\r\n"
        let body = Self.body(multipart, data: Array("0123456789".utf8))
        #expect(String(decoding: body, as: UTF8.self) == expected)
        #expect(multipart.totalLength == Int64(expected.utf8.count))
        #expect(multipart.contentTypeHeader == "multipart/byteranges; boundary=THIS_STRING_SEPARATES")
        #expect(multipart.closingDelimiter == "\r\n--THIS_STRING_SEPARATES--\r\n")
        #expect(multipart.partHeader(index: 0).hasPrefix("--"))
        #expect(multipart.partHeader(index: 1).hasPrefix("\r\n--"))
    }

    static let layouts: [(length: Int64, ranges: [ClosedRange<Int64>])] = [
        (1, [0...0]),
        (10, [0...9]),
        (10_000, [0...0, 9999...9999]),
        (10_000, [9000...9999, 0...99, 500...599]),
        (1_000_000, [0...499_999, 500_001...999_999]),
        (12_345, (0..<16).map { Int64($0 * 700)...Int64($0 * 700 + 99) }),
    ]

    @Test("totalLength equals the concatenated body", arguments: layouts)
    func totalLength(length: Int64, ranges: [ClosedRange<Int64>]) {
        let data = (0..<Int(length)).map { UInt8(truncatingIfNeeded: $0) }
        let multipart = MultipartByteRanges(
            boundary: MultipartByteRanges.randomBoundary(), contentType: "application/octet-stream", length: length,
            ranges: ranges)
        #expect(multipart.totalLength == Int64(Self.body(multipart, data: data).count))
    }

    @Test("works end to end with ranges from ByteRangeRequest")
    func fromRangeRequest() {
        let outcome = ByteRangeRequest.evaluate(
            rangeHeader: "bytes=-3, 0-1, 1-2", ifRange: nil, etag: EntityTag(opaque: "e"), lastModified: 0, length: 26)
        guard case .partial(let ranges) = outcome else {
            Issue.record("expected partial, got \(outcome)")
            return
        }
        #expect(ranges == [23...25, 0...2])
        let multipart = MultipartByteRanges(boundary: "b", contentType: "text/plain", length: 26, ranges: ranges)
        let body = String(decoding: Self.body(multipart, data: Array("abcdefghijklmnopqrstuvwxyz".utf8)), as: UTF8.self)
        #expect(
            body
                == "--b\r\nContent-Type: text/plain\r\nContent-Range: bytes 23-25/26\r\n\r\nxyz"
                + "\r\n--b\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-2/26\r\n\r\nabc\r\n--b--\r\n")
        #expect(multipart.totalLength == Int64(body.utf8.count))
    }

    @Test("a boundary that is not a token is quoted in Content-Type")
    func quotedBoundary() {
        let multipart = MultipartByteRanges(boundary: "a b:c", contentType: "text/plain", length: 1, ranges: [0...0])
        #expect(multipart.contentTypeHeader == "multipart/byteranges; boundary=\"a b:c\"")
        #expect(multipart.partHeader(index: 0).hasPrefix("--a b:c\r\n"))
    }

    @Test("random boundaries are 32 lowercase hex digits and differ")
    func randomBoundary() {
        let first = MultipartByteRanges.randomBoundary()
        let second = MultipartByteRanges.randomBoundary()
        #expect(first.utf8.count == 32)
        #expect(first.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        #expect(first != second)
    }

    @Test("a deterministic generator gives a deterministic boundary")
    func deterministicBoundary() {
        struct Counter: RandomNumberGenerator {
            var value: UInt64 = 0x0123_4567_89AB_CDEF
            mutating func next() -> UInt64 {
                defer { value = ~value }
                return value
            }
        }
        var generator = Counter()
        // Low nibble first: 0x0123456789ABCDEF → "fedcba9876543210", then its complement.
        #expect(MultipartByteRanges.randomBoundary(using: &generator) == "fedcba98765432100123456789abcdef")
    }
}
