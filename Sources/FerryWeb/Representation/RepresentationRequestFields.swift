import HTTPTypes

/// The request fields a representation response looks at (ranges, conditionals, and for static
/// files Accept-Encoding), found in one pass over the fields instead of one linear search each
/// (this runs for every static request).
struct RepresentationRequestFields {
    var range: String?
    var ifRange: String?
    var ifMatch: String?
    var ifNoneMatch: String?
    var ifModifiedSince: String?
    var ifUnmodifiedSince: String?
    var acceptEncoding: String?

    init(_ fields: HTTPFields) {
        for field in fields {
            switch field.name {
            case .range: range = Self.join(range, field.value)
            case .ifRange: ifRange = Self.join(ifRange, field.value)
            case .ifMatch: ifMatch = Self.join(ifMatch, field.value)
            case .ifNoneMatch: ifNoneMatch = Self.join(ifNoneMatch, field.value)
            case .ifModifiedSince: ifModifiedSince = Self.join(ifModifiedSince, field.value)
            case .ifUnmodifiedSince: ifUnmodifiedSince = Self.join(ifUnmodifiedSince, field.value)
            case .acceptEncoding: acceptEncoding = Self.join(acceptEncoding, field.value)
            default: continue
            }
        }
    }

    /// Repeated field lines combine with a comma (RFC 9110 §5.3).
    private static func join(_ existing: String?, _ value: String) -> String {
        existing.map { $0 + ", " + value } ?? value
    }

    var isConditional: Bool {
        ifMatch != nil || ifNoneMatch != nil || ifModifiedSince != nil || ifUnmodifiedSince != nil
    }
}
