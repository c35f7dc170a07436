import HTTPTypes

/// The security fields Ferry sends. The policy forbids inline script and style; the only inline
/// element, the import map, is allowed by its SHA-256.
public enum SecurityHeaders {
    public static func contentSecurityPolicy(importMapHash: String) -> String {
        "default-src 'self'; script-src 'self' 'sha256-\(importMapHash)'; style-src 'self'; "
            + "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    /// For HTML that did not come from a page render (nothing to allow).
    static let lockedDownPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"

    /// Adds the fields every response carries, and the HTML ones to HTML.
    static func apply(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        if let type = headers[.contentType], MediaType.isHTML(type) {
            if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = lockedDownPolicy }
            headers[.referrerPolicy] = "no-referrer"
            headers[.crossOriginOpenerPolicy] = "same-origin"
        }
    }
}
