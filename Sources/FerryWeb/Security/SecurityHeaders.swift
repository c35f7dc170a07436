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

    /// Adds the fields every response carries, and the HTML ones to HTML. One pass over the
    /// fields, then appends: this runs for every dynamic response.
    static func apply(to headers: inout HTTPFields) {
        var isHTML = false
        var hasNoSniff = false
        var hasPolicy = false
        for field in headers {
            switch field.name {
            case .contentType: isHTML = MediaType.isHTML(field.value)
            case .xContentTypeOptions: hasNoSniff = true
            case .contentSecurityPolicy: hasPolicy = true
            default: continue
            }
        }
        if !hasNoSniff { headers.append(HTTPField(name: .xContentTypeOptions, value: "nosniff")) }
        guard isHTML else { return }
        if !hasPolicy { headers.append(HTTPField(name: .contentSecurityPolicy, value: lockedDownPolicy)) }
        // Not "no-referrer": under it a browser sends `Origin: null` with a form's POST, and on a
        // plain-http origin that is not localhost (no `Sec-Fetch-Site` either) the origin check
        // could not tell the page's own forms from another site's. `same-origin` still sends
        // nothing to other sites (a drop's or an invite's path never leaves the server).
        headers[.referrerPolicy] = "same-origin"
        headers[.crossOriginOpenerPolicy] = "same-origin"
    }
}
