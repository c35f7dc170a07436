import FerryHTTP

/// One range-spec of a `bytes` range-set (RFC 9110 §14.1.1), before it is resolved against a length.
enum ByteRangeSpec: Sendable, Hashable {
    /// `first-last`, with `first <= last`.
    case bounded(first: Int64, last: Int64)
    /// `first-`: from `first` to the end.
    case from(first: Int64)
    /// `-count`: the last `count` bytes.
    case suffix(count: Int64)

    /// Parses one non-empty, OWS-trimmed member; numbers saturate at `Int64.max` (see
    /// ``FieldSyntax/parseSaturatingDecimal(_:)``).
    /// - Returns: `nil` for anything that is not `1*DIGIT "-" [1*DIGIT]` or `"-" 1*DIGIT`, or when last < first.
    static func parse(_ bytes: ArraySlice<UInt8>) -> ByteRangeSpec? {
        guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        let before = bytes[..<dash]
        let after = bytes[(dash + 1)...]
        if before.isEmpty {
            guard let count = FieldSyntax.parseSaturatingDecimal(after) else { return nil }
            return .suffix(count: count)
        }
        guard let first = FieldSyntax.parseSaturatingDecimal(before) else { return nil }
        if after.isEmpty {
            return .from(first: first)
        }
        guard let last = FieldSyntax.parseSaturatingDecimal(after), last >= first else { return nil }
        return .bounded(first: first, last: last)
    }

    /// The satisfiable part of this spec for a representation of `length` bytes (`length > 0`), or `nil` when the
    /// spec is unsatisfiable (RFC 9110 §14.1.1): first-pos at or past the end, or a zero suffix.
    func resolve(length: Int64) -> ClosedRange<Int64>? {
        switch self {
        case .bounded(let first, let last):
            guard first < length else { return nil }
            return first...min(last, length - 1)
        case .from(let first):
            guard first < length else { return nil }
            return first...(length - 1)
        case .suffix(let count):
            guard count > 0 else { return nil }
            return (count >= length ? 0 : length - count)...(length - 1)
        }
    }
}
