public import HTTPTypes

/// An error a handler throws to answer with a precise status: problem+json under `/api`
/// (RFC 9457), a rendered error page elsewhere.
public struct HTTPError: Error, Sendable, Equatable {
    /// One invalid member of a request document, located by a JSON Pointer (RFC 6901).
    public struct FieldError: Sendable, Equatable, Codable {
        public var pointer: String
        public var detail: String

        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    public var status: HTTPResponse.Status
    /// Human-readable explanation specific to this occurrence; safe to show to the client.
    public var detail: String
    /// A short, stable problem type slug, e.g. `invalid-json`; becomes `/problems/<slug>`.
    public var type: String
    public var errors: [FieldError]
    /// Extra response fields (`Allow`, `Retry-After`, …).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, detail: String, type: String? = nil, errors: [FieldError] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.detail = detail
        self.type = type ?? Self.defaultType(for: status)
        self.errors = errors
        self.headers = headers
    }

    static func defaultType(for status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().split(separator: " ").joined(separator: "-")
    }
}
