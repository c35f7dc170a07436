import FerryHTTP

/// Evaluation of the conditional request header fields for a representation that exists (RFC 9110 §13.2.2).
public enum ConditionalRequest {
    /// Evaluates `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` in the order of
    /// RFC 9110 §13.2.2. `If-Range` is not evaluated here; it only matters once the outcome is ``ConditionalOutcome/proceed``
    /// and is handled by ``ByteRangeRequest``.
    ///
    /// 1. `If-Match` present: strong comparison (a weak tag never matches); `*` matches because the representation
    ///    exists. False → 412.
    /// 2. Otherwise `If-Unmodified-Since` with a valid date: false when `lastModified` is later than the date → 412.
    /// 3. `If-None-Match` present: weak comparison; `*` matches. A match (the condition is false) → 304 for
    ///    `GET`/`HEAD`, 412 for any other method.
    /// 4. Otherwise, for `GET`/`HEAD` only, `If-Modified-Since` with a valid date: `lastModified` at or before the
    ///    date → 304.
    ///
    /// Invalid values, documented choices:
    /// - A malformed `If-Match` fails closed (→ 412): the client made the request conditional on a state we cannot
    ///   confirm, and proceeding could overwrite what it meant to protect. This is what nginx does.
    /// - A malformed `If-None-Match` is ignored as if absent (so `If-Modified-Since` is then evaluated): ignoring it
    ///   can only produce a full response, which is always correct.
    /// - Dates that are not valid HTTP-dates are ignored, as RFC 9110 §13.1.3 and §13.1.4 require.
    /// - Method names are case-sensitive (RFC 9110 §9.1): `get` is not `GET`.
    ///
    /// Multiple field lines of one header must be joined with `,` by the caller before calling.
    ///
    /// - Parameters:
    ///   - method: The request method.
    ///   - ifMatch: The `If-Match` field value, or `nil` when absent.
    ///   - ifNoneMatch: The `If-None-Match` field value, or `nil` when absent.
    ///   - ifModifiedSince: The `If-Modified-Since` field value, or `nil` when absent.
    ///   - ifUnmodifiedSince: The `If-Unmodified-Since` field value, or `nil` when absent.
    ///   - etag: The current representation's entity-tag.
    ///   - lastModified: The current representation's modification time, in whole seconds since the epoch (the
    ///     precision of `Last-Modified`, so truncate sub-second file times before calling).
    public static func evaluate(
        method: String,
        ifMatch: String?,
        ifNoneMatch: String?,
        ifModifiedSince: String?,
        ifUnmodifiedSince: String?,
        etag: EntityTag,
        lastModified: Int64
    ) -> ConditionalOutcome {
        let isGetOrHead = method == "GET" || method == "HEAD"

        if let ifMatch {
            // Malformed → no match → 412 (fail closed).
            guard let condition = EntityTagCondition.parse(ifMatch), condition.matchesStrongly(etag) else {
                return .preconditionFailed
            }
        } else if let ifUnmodifiedSince, let date = HTTPDate.parse(ifUnmodifiedSince) {
            if lastModified > date {
                return .preconditionFailed
            }
        }

        let noneMatchCondition = ifNoneMatch.flatMap(EntityTagCondition.parse)
        if let noneMatchCondition {
            if noneMatchCondition.matchesWeakly(etag) {
                return isGetOrHead ? .notModified : .preconditionFailed
            }
        } else if isGetOrHead, let ifModifiedSince, let date = HTTPDate.parse(ifModifiedSince) {
            if lastModified <= date {
                return .notModified
            }
        }

        return .proceed
    }
}
