import FerryHTTP

/// The framing of a `multipart/byteranges` body (RFC 9110 §14.6, RFC 2046 §5.1.1), computed up front so the
/// response can carry an exact `Content-Length` and the file data can still go out with `sendfile`.
///
/// The body is `partHeader(index: 0)`, the bytes of `ranges[0]`, `partHeader(index: 1)`, the bytes of `ranges[1]`,
/// …, then ``closingDelimiter``. The first part header has no leading CRLF (the body starts with `--boundary`, as
/// in RFC 9110's example); every later one starts with the CRLF that ends the previous part's data.
public struct MultipartByteRanges: Sendable, Hashable {
    /// The boundary, without the leading `--`.
    public let boundary: String
    /// The `Content-Type` of the representation, repeated in each part.
    public let contentType: String
    /// The full representation length, for each part's `Content-Range`.
    public let length: Int64
    /// The ranges, in the order they are sent.
    public let ranges: [ClosedRange<Int64>]
    private let partHeaders: [String]

    /// - Parameters:
    ///   - boundary: 1 to 70 characters from RFC 2046's `bchars`, not ending in a space, and not occurring in the
    ///     file data; ``randomBoundary()`` gives one.
    ///   - contentType: The representation's media type.
    ///   - length: The representation's length in bytes.
    ///   - ranges: Ranges within `0..<length`, as produced by ``ByteRangeRequest``.
    public init(boundary: String, contentType: String, length: Int64, ranges: [ClosedRange<Int64>]) {
        self.boundary = boundary
        self.contentType = contentType
        self.length = length
        self.ranges = ranges
        self.partHeaders = ranges.enumerated().map { index, range in
            (index == 0 ? "" : "\r\n") + "--\(boundary)\r\n"
                + "Content-Type: \(contentType)\r\n"
                + "Content-Range: \(ByteRangeRequest.contentRange(range, length: length))\r\n\r\n"
        }
    }

    /// The response's `Content-Type`: `multipart/byteranges; boundary=…`, quoting the boundary when it contains
    /// characters that are not allowed in a token (RFC 2046 permits some, such as space and `:`).
    public var contentTypeHeader: String {
        let bytes = Array(boundary.utf8)
        let isToken = !bytes.isEmpty && bytes.allSatisfy(FieldSyntax.isTokenChar)
        return "multipart/byteranges; boundary=" + (isToken ? boundary : "\"\(boundary)\"")
    }

    /// The delimiter and headers written before the data of part `index` (`0..<ranges.count`).
    public func partHeader(index: Int) -> String {
        partHeaders[index]
    }

    /// Written after the last part's data.
    public var closingDelimiter: String {
        "\r\n--\(boundary)--\r\n"
    }

    /// The exact body length: all part headers, all range bytes and the closing delimiter.
    public var totalLength: Int64 {
        var total = Int64(closingDelimiter.utf8.count)
        for (header, range) in zip(partHeaders, ranges) {
            total += Int64(header.utf8.count) + (range.upperBound - range.lowerBound + 1)
        }
        return total
    }

    /// A fresh boundary: 32 random hexadecimal digits from the system's secure generator, so no file content can
    /// predict (and forge) a delimiter.
    public static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return randomBoundary(using: &generator)
    }

    /// A boundary of 32 hexadecimal digits drawn from `generator` (deterministic generators make tests exact).
    public static func randomBoundary(using generator: inout some RandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<2 {
            var word = generator.next() as UInt64
            for _ in 0..<16 {
                bytes.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
