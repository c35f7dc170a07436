import FerryHTTP

/// The parsed value of `If-Match` or `If-None-Match`: `*` or a list of entity-tags (RFC 9110 §13.1.1, §13.1.2).
///
/// Parsing is all-or-nothing: one malformed member makes the whole field invalid (``parse(_:)`` returns `nil`),
/// because guessing which members the client meant could turn a failed precondition into a lost update.
/// ``ConditionalRequest`` then decides what an invalid field means for each header.
public enum EntityTagCondition: Sendable, Hashable {
    /// `*`: matches any current representation.
    case any
    /// An explicit list, possibly empty (an empty field value is an empty list, which matches nothing).
    case tags([EntityTag])

    /// Parses a field value. Multiple field lines must be joined with `,` first (RFC 9110 §5.3).
    ///
    /// OWS around members and empty members (`"a", , "b"`) are tolerated, per RFC 9110 §5.6.1. Commas inside an
    /// opaque-tag are part of the tag (`"a,b"` is one tag). `*` must stand alone.
    /// - Returns: `nil` when the value is malformed: unquoted tags, a lowercase `w/`, a missing closing quote,
    ///   `*` mixed with tags, or anything between members other than OWS and commas.
    public static func parse(_ fieldValue: String) -> EntityTagCondition? {
        let bytes = Array(fieldValue.utf8)
        let trimmed = FieldSyntax.trimmingOWS(bytes[...])
        if trimmed.elementsEqual([UInt8(ascii: "*")]) {
            return .any
        }
        var tags: [EntityTag] = []
        var index = 0
        while true {
            // Skip OWS and empty list members.
            while index < bytes.count, FieldSyntax.isOWS(bytes[index]) || bytes[index] == UInt8(ascii: ",") {
                index += 1
            }
            guard index < bytes.count else { break }
            guard case (let tag, let next)? = EntityTag.scan(bytes, from: index) else { return nil }
            tags.append(tag)
            index = EntityTag.skipOWS(bytes, from: next)
            guard index == bytes.count || bytes[index] == UInt8(ascii: ",") else { return nil }
        }
        return .tags(tags)
    }

    /// Whether the condition matches the current representation using strong comparison (`If-Match`).
    public func matchesStrongly(_ current: EntityTag) -> Bool {
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains { $0.stronglyMatches(current) }
        }
    }

    /// Whether the condition matches the current representation using weak comparison (`If-None-Match`).
    public func matchesWeakly(_ current: EntityTag) -> Bool {
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains { $0.weaklyMatches(current) }
        }
    }
}
