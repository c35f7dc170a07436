import FerryHTTP

/// `Range` and `If-Range` handling for `GET` (RFC 9110 §14.1, §14.2, §13.1.5).
///
/// Decisions:
/// - Only call this for `GET` with a ``ConditionalOutcome/proceed`` outcome; RFC 9110 §14.2 defines ranges for
///   `GET` only, so for other methods pass `nil` (or do not call) and serve the full representation.
/// - Anything that is not a well-formed `bytes` range-set is ignored (→ ``RangeOutcome/full``), as §14.2 allows:
///   other units, a missing `=`, an empty set, `5-1`, `--5`, `a-b`, signs, spaces inside a member. The unit is
///   matched case-insensitively; OWS around members and empty members (`0-1,,5-6`) are tolerated.
/// - More than `maxRanges` members → ``RangeOutcome/full``: many small or overlapping ranges are a known
///   amplification attack, and §14.2 lets a server ignore such a header. The limit counts members as sent.
/// - Numbers too large for `Int64` saturate rather than fail: a huge first-pos is unsatisfiable, a huge last-pos
///   is clamped to the end, a huge suffix means the whole representation.
/// - Unsatisfiable members are dropped; if none remain → ``RangeOutcome/unsatisfiable``.
/// - Overlapping and adjacent ranges are coalesced (§15.3.7.2 allows it; a client gets no byte twice). The result
///   keeps request order: each merged range sits where its earliest member was requested.
/// - A zero-length representation gets ``RangeOutcome/full`` for any valid range-set: no byte range can be
///   expressed on it and the empty `200` is exactly the representation.
/// - `If-Range` is evaluated only when a valid `Range` is present. It matches only a strong validator: an
///   entity-tag that is strong and strongly equal to a strong current tag, or an HTTP-date exactly equal to
///   `lastModified`. A weak tag, `*`, a list or garbage never matches → ``RangeOutcome/full``.
public enum ByteRangeRequest {
    /// Default limit on the number of range-specs accepted in one `Range` header.
    public static let defaultMaxRanges = 16

    /// Resolves `Range` (and `If-Range`) against the selected representation.
    ///
    /// - Parameters:
    ///   - rangeHeader: The `Range` field value, or `nil` when absent.
    ///   - ifRange: The `If-Range` field value, or `nil` when absent.
    ///   - etag: The current entity-tag.
    ///   - lastModified: The current modification time in whole seconds since the epoch.
    ///   - length: The representation length in bytes (of the coding actually served: a `.br` sibling has its own).
    ///   - maxRanges: The largest number of range-specs accepted; more → ``RangeOutcome/full``.
    public static func evaluate(
        rangeHeader: String?,
        ifRange: String?,
        etag: EntityTag,
        lastModified: Int64,
        length: Int64,
        maxRanges: Int = defaultMaxRanges
    ) -> RangeOutcome {
        guard let rangeHeader, let specs = parseRangeSet(rangeHeader, maxRanges: maxRanges) else { return .full }
        if let ifRange, !ifRangeMatches(ifRange, etag: etag, lastModified: lastModified) {
            return .full
        }
        guard length > 0 else { return .full }
        let satisfiable = specs.compactMap { $0.resolve(length: length) }
        guard !satisfiable.isEmpty else { return .unsatisfiable }
        return .partial(coalesce(satisfiable))
    }

    /// The `Content-Range` value for one part: `bytes 0-499/1234`.
    public static func contentRange(_ r: ClosedRange<Int64>, length: Int64) -> String {
        "bytes \(r.lowerBound)-\(r.upperBound)/\(length)"
    }

    /// The `Content-Range` value for a 416 response: `bytes */1234`.
    public static func unsatisfiedContentRange(length: Int64) -> String {
        "bytes */\(length)"
    }

    /// Parses `bytes=range-set`. Returns `nil` when the header must be ignored: another unit, invalid syntax, or
    /// more than `maxRanges` members.
    static func parseRangeSet(_ value: String, maxRanges: Int) -> [ByteRangeSpec]? {
        let bytes = FieldSyntax.trimmingOWS(Array(value.utf8)[...])
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        guard FieldSyntax.asciiLowercased(bytes[..<equals]) == "bytes" else { return nil }
        var specs: [ByteRangeSpec] = []
        for member in FieldSyntax.splitList(bytes[(equals + 1)...]) where !member.isEmpty {
            guard specs.count < maxRanges, let spec = ByteRangeSpec.parse(member) else { return nil }
            specs.append(spec)
        }
        return specs.isEmpty ? nil : specs
    }

    /// RFC 9110 §13.1.5: the condition holds only for a strong validator equal to the current one.
    static func ifRangeMatches(_ value: String, etag: EntityTag, lastModified: Int64) -> Bool {
        let trimmed = FieldSyntax.trimmingOWS(Array(value.utf8)[...])
        if trimmed.first == UInt8(ascii: "\"") || trimmed.starts(with: Array("W/".utf8)) {
            guard let tag = EntityTag.parse(value) else { return false }
            return tag.stronglyMatches(etag)
        }
        guard let date = HTTPDate.parse(value) else { return false }
        return date == lastModified
    }

    /// Merges overlapping and adjacent ranges; each merged range takes the request position of its earliest member.
    static func coalesce(_ ranges: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
        guard ranges.count > 1 else { return ranges }
        let byStart = ranges.indices.sorted {
            (ranges[$0].lowerBound, $0) < (ranges[$1].lowerBound, $1)
        }
        var merged: [(range: ClosedRange<Int64>, firstIndex: Int)] = []
        for index in byStart {
            let range = ranges[index]
            // upperBound < length <= Int64.max, so + 1 cannot overflow.
            if let last = merged.last, range.lowerBound <= last.range.upperBound + 1 {
                let upper = max(last.range.upperBound, range.upperBound)
                merged[merged.count - 1] = (last.range.lowerBound...upper, min(last.firstIndex, index))
            } else {
                merged.append((range, index))
            }
        }
        return merged.sorted { $0.firstIndex < $1.firstIndex }.map(\.range)
    }
}
