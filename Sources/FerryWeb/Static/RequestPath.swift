import FerryHTTP

/// Turns the path of a request target into segments that cannot escape the public root.
///
/// The rules are deliberately stricter than RFC 3986 normalisation: instead of resolving `.` and `..` (and getting
/// every decoding-order subtlety right), anything that could mean "go elsewhere" is refused outright. Browsers
/// normalise dot segments before sending, so only hand-crafted requests are refused.
///
/// Decisions:
/// - Empty segments in the middle (`/a//b`) are **rejected** (``RequestPathError/emptySegment``), not collapsed:
///   collapsing would give one file many URLs, which splits caches and defeats path-based rules.
/// - A trailing `/` is kept as ``ResolvedPath/isDirectory``; `/` itself resolves to no segments.
/// - Every segment starting with `.` is refused, `.well-known` included: nothing under `Public/` is meant to be
///   hidden-and-served, and one rule is easier to trust than an allow-list.
/// - `%2F` and `%5C` are refused rather than decoded into a segment, so a decoded segment never contains a
///   separator; a raw `\` is refused too.
/// - Checks run in a fixed order, so a path with several faults always reports the same one: the leading `/`, the
///   length, a raw `\`, then segment by segment from the left: empty segment, segment count, percent-decoding (bad
///   escape, `%2F`, `%5C` in the order they appear), UTF-8 validity, control characters, and finally the dot rules.
/// - `+` is not a space here (that is form encoding, for query strings only); no Unicode normalisation is applied.
public enum RequestPath {
    /// Default limit on the raw path, in UTF-8 bytes (before percent-decoding).
    public static let defaultMaxLength = 2048
    /// Default limit on the number of segments, which bounds directory depth and the work per request.
    public static let defaultMaxSegments = 32

    /// Decodes and validates a request path.
    ///
    /// - Parameters:
    ///   - rawPath: The path part of the request target, without the query (`?…`) and fragment; may contain
    ///     percent-encoding.
    ///   - maxLength: The largest accepted raw path in UTF-8 bytes; longer paths throw ``RequestPathError/tooLong``.
    ///   - maxSegments: The largest accepted number of segments (the trailing empty segment of a directory path does
    ///     not count); more throw ``RequestPathError/tooManySegments``.
    /// - Returns: The decoded segments and whether the path named a directory.
    /// - Throws: The first ``RequestPathError`` found, in the order documented on ``RequestPath``.
    public static func resolve(
        _ rawPath: String,
        maxLength: Int = defaultMaxLength,
        maxSegments: Int = defaultMaxSegments
    ) throws(RequestPathError) -> ResolvedPath {
        let raw = Array(rawPath.utf8)
        guard raw.first == UInt8(ascii: "/") else { throw .notAbsolute }
        guard raw.count <= maxLength else { throw .tooLong }
        guard !raw.contains(UInt8(ascii: "\\")) else { throw .backslash }

        let rawSegments = raw.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var segments: [String] = []
        segments.reserveCapacity(rawSegments.count)
        var isDirectory = false
        for (index, rawSegment) in rawSegments.enumerated() {
            if rawSegment.isEmpty {
                if index == rawSegments.count - 1 {
                    isDirectory = true
                    break
                }
                throw .emptySegment
            }
            guard segments.count < maxSegments else { throw .tooManySegments }
            segments.append(try decodeSegment(rawSegment))
        }
        return ResolvedPath(segments: segments, isDirectory: isDirectory)
    }

    private static func decodeSegment(_ raw: ArraySlice<UInt8>) throws(RequestPathError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            if byte != UInt8(ascii: "%") {
                bytes.append(byte)
                i += 1
                continue
            }
            guard i + 2 < raw.endIndex, let high = FieldSyntax.hexValue(raw[i + 1]),
                let low = FieldSyntax.hexValue(raw[i + 2])
            else {
                throw .invalidPercentEncoding
            }
            let decoded = high << 4 | low
            if decoded == UInt8(ascii: "/") { throw .encodedSlash }
            if decoded == UInt8(ascii: "\\") { throw .encodedBackslash }
            bytes.append(decoded)
            i += 3
        }

        // Decoding with replacement and comparing catches every ill-formed sequence: Swift's decoder rejects
        // overlong forms (`C0 AE` for "."), surrogates and truncated sequences, substituting U+FFFD for each.
        let segment = String(decoding: bytes, as: UTF8.self)
        guard segment.utf8.elementsEqual(bytes) else { throw .invalidUTF8 }

        if segment.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw .controlCharacter
        }

        if segment == "." { throw .dotSegment }
        if segment == ".." { throw .dotDotSegment }
        if bytes.first == UInt8(ascii: ".") { throw .hiddenSegment }
        return segment
    }
}
