/// What a `Range` request resolves to, once the conditional headers said ``ConditionalOutcome/proceed``.
public enum RangeOutcome: Sendable, Hashable {
    /// `200 OK` with the whole representation.
    case full
    /// `206 Partial Content`: one range → a single part with `Content-Range`; several → `multipart/byteranges`
    /// (see ``MultipartByteRanges``). Ranges are non-empty, within the representation, disjoint and non-adjacent.
    case partial([ClosedRange<Int64>])
    /// `416 Range Not Satisfiable` with `Content-Range: bytes */length`
    /// (``ByteRangeRequest/unsatisfiedContentRange(length:)``).
    case unsatisfiable
}
