import HTTPTypes

/// `Upgrade: h2c` (RFC 7540 §3.2): an HTTP/1.1 request that asks to continue as cleartext HTTP/2.
enum H2CUpgrade {
    static let http2Settings = HTTPField.Name("HTTP2-Settings")!

    /// The upgrade to perform, or nil when the request does not ask for one properly: `Upgrade`
    /// naming `h2c`, exactly one `HTTP2-Settings` with a valid base64url SETTINGS payload, and
    /// both named in `Connection`. A request that does not qualify is simply served as HTTP/1.1
    /// (a server may ignore an upgrade).
    static func upgrade(for request: HTTPRequest) -> HTTP2ConnectionHandler.Upgrade? {
        let fields = request.headerFields
        guard let upgrade = fields[.upgrade], tokens(upgrade).contains("h2c") else { return nil }
        let settingsValues = fields[values: http2Settings]
        guard settingsValues.count == 1, let payload = Base64URL.decode(settingsValues[0]), payload.count % 6 == 0
        else { return nil }
        let connection = fields[values: .connection].flatMap(tokens)
        guard connection.contains("upgrade"), connection.contains("http2-settings") else { return nil }
        var upgraded = request
        upgraded.headerFields[.upgrade] = nil
        upgraded.headerFields[.connection] = nil
        upgraded.headerFields[http2Settings] = nil
        return HTTP2ConnectionHandler.Upgrade(settingsPayload: payload, request: upgraded)
    }

    private static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { FieldSyntax.asciiLowercased(HTTP1HeadParser.trimmed($0).utf8) }
    }

    /// The 101 response that switches the connection.
    static let switchingProtocols: [UInt8] = Array(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8)
}
