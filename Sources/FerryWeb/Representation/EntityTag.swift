/// An entity-tag validator (RFC 9110 §8.8.3).
public struct EntityTag: Sendable, Hashable {
    /// The opaque-tag without its quotes. It must consist of `etagc` characters (`!`, `#`–`~` and obs-text): no
    /// `"`, no spaces, no controls. The server builds its own tags from file metadata, so this is not checked here.
    public var opaque: String
    /// A weak tag (`W/"…"`) promises semantic equivalence only, not byte identity.
    public var isWeak: Bool

    public init(opaque: String, isWeak: Bool = false) {
        self.opaque = opaque
        self.isWeak = isWeak
    }

    /// The field value for `ETag`: `"abc"` or `W/"abc"`.
    public var headerValue: String {
        isWeak ? "W/\"\(opaque)\"" : "\"\(opaque)\""
    }

    /// Strong comparison (RFC 9110 §8.8.3.2): both tags strong and their opaque-tags identical. Used by `If-Match`
    /// and `If-Range`, where the client is about to combine bytes and needs them to be the same bytes.
    public func stronglyMatches(_ other: EntityTag) -> Bool {
        !isWeak && !other.isWeak && opaque == other.opaque
    }

    /// Weak comparison (RFC 9110 §8.8.3.2): opaque-tags identical, weakness ignored. Used by `If-None-Match`.
    public func weaklyMatches(_ other: EntityTag) -> Bool {
        opaque == other.opaque
    }
}
