/// The content codings the static file server can send, in no particular order (preference is
/// ``AcceptEncoding/preference``).
public enum ContentCoding: String, Sendable, Hashable, CaseIterable {
    /// Brotli (RFC 7932), from a precompressed `.br` sibling.
    case br
    /// gzip (RFC 1952), from a precompressed `.gz` sibling.
    case gzip
    /// No coding: the file itself.
    case identity

    /// The suffix of the precompressed sibling file (`.br`, `.gz`), or `nil` for the file itself.
    public var fileSuffix: String? {
        switch self {
        case .br: return ".br"
        case .gzip: return ".gz"
        case .identity: return nil
        }
    }

    /// The `Content-Encoding` field value, or `nil` for identity (which is never sent as a header).
    public var contentEncoding: String? {
        self == .identity ? nil : rawValue
    }
}
