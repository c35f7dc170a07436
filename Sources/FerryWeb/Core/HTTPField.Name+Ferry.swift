import HTTPTypes

/// Field names swift-http-types does not predefine.
extension HTTPField.Name {
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    public static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
