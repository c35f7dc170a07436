import HTTPTypes

/// Parses one complete request head (request line, header lines, final CRLF) into an
/// ``HTTP1RequestHead`` and decides the message framing (RFC 9112 §3, §5, §6).
enum HTTP1HeadParser {
    static func parse(
        _ bytes: UnsafeRawBufferPointer,
        limits: HTTP1RequestParser.Limits
    ) throws(HTTP1ParseError) -> HTTP1RequestHead {
        var cursor = 0
        let lineEnd = lineEnd(bytes, from: cursor)
        let requestLine = try parseRequestLine(bytes, from: cursor, to: lineEnd)
        cursor = lineEnd + 2

        var fields = HTTPFields()
        var host: String?
        var hostCount = 0
        var contentLength: Int64?
        var transferEncodings: [Substring] = []
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false

        while true {
            let end = Self.lineEnd(bytes, from: cursor)
            if end == cursor { break }
            let line = try parseFieldLine(bytes, from: cursor, to: end, target: requestLine.target)
            cursor = end + 2
            if line.name == Self.hostName {
                hostCount += 1
                // Straight to a string: the value was checked above and becomes the authority,
                // as in HTTP/2, not a field.
                host = String(decoding: line.value, as: UTF8.self)
                continue
            }
            let field = HTTPField(name: line.name, value: line.value)
            switch field.name {
            case .contentLength:
                guard contentLength == nil else {
                    throw HTTP1ParseError(.badRequest, "repeated Content-Length", target: requestLine.target)
                }
                guard let length = parseContentLength(field.value) else {
                    throw HTTP1ParseError(.badRequest, "invalid Content-Length", target: requestLine.target)
                }
                contentLength = length
            case .transferEncoding:
                for coding in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    transferEncodings.append(trimmed(coding))
                }
            case .connection:
                for option in field.value.split(separator: ",") {
                    let token = FieldSyntax.asciiLowercased(trimmed(option).utf8)
                    if token == "close" { connectionClose = true }
                    if token == "keep-alive" { connectionKeepAlive = true }
                }
            case .expect:
                guard FieldSyntax.asciiLowercased(field.value.utf8) == "100-continue" else {
                    throw HTTP1ParseError(.expectationFailed, "unsupported expectation", target: requestLine.target)
                }
                expectsContinue = true
            default:
                break
            }
            // Reserved on first use: a request with only a Host field needs no storage at all.
            if fields.isEmpty { fields.reserveCapacity(12) }
            fields.append(field)
        }

        let minor = requestLine.minorVersion
        if minor == 1 && hostCount != 1 {
            let reason = hostCount == 0 ? "missing Host header" : "repeated Host header"
            throw HTTP1ParseError(.badRequest, reason, target: requestLine.target)
        }
        if hostCount > 1 {
            throw HTTP1ParseError(.badRequest, "repeated Host header", target: requestLine.target)
        }
        if let host, !isValidHost(host) {
            throw HTTP1ParseError(.badRequest, "invalid Host header", target: requestLine.target)
        }

        let framing = try framing(
            contentLength: contentLength,
            transferEncodings: transferEncodings,
            minorVersion: minor,
            target: requestLine.target
        )
        let keepAlive = minor == 1 ? !connectionClose : (connectionKeepAlive && !connectionClose)

        var request = HTTPRequest(
            method: requestLine.method,
            scheme: requestLine.scheme,
            authority: requestLine.authority ?? (host?.isEmpty == false ? host : nil),
            path: requestLine.path
        )
        request.headerFields = fields
        return HTTP1RequestHead(
            request: request,
            minorVersion: minor,
            keepAlive: keepAlive,
            framing: framing,
            expectsContinue: expectsContinue && minor == 1
        )
    }

    // MARK: - Request line

    struct RequestLine {
        var method: HTTPRequest.Method
        var target: String
        var scheme: String?
        var authority: String?
        var path: String
        var minorVersion: Int
    }

    static func parseRequestLine(
        _ bytes: UnsafeRawBufferPointer,
        from start: Int,
        to end: Int
    ) throws(HTTP1ParseError) -> RequestLine {
        var index = start
        while index < end, isTokenChar(bytes[index]) { index += 1 }
        guard index > start, index < end, bytes[index] == UInt8(ascii: " ") else {
            throw .badRequest("malformed method in request line")
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        index += 1
        let targetStart = index
        while index < end, bytes[index] > 0x20, bytes[index] < 0x7F { index += 1 }
        guard index > targetStart, index < end, bytes[index] == UInt8(ascii: " ") else {
            throw .badRequest("malformed request target")
        }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<index]), as: UTF8.self)
        index += 1
        let minor = try parseVersion(UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
        guard
            let parsedMethod = knownMethod(methodBytes)
                ?? HTTPRequest.Method(String(decoding: methodBytes, as: UTF8.self))
        else {
            throw .badRequest("malformed method in request line")
        }
        return try resolveTarget(target, method: parsedMethod, minorVersion: minor)
    }

    /// The common methods without building and validating a string.
    static func knownMethod(_ bytes: UnsafeRawBufferPointer) -> HTTPRequest.Method? {
        switch bytes.count {
        case 3 where bytes.elementsEqual("GET".utf8): return .get
        case 3 where bytes.elementsEqual("PUT".utf8): return .put
        case 4 where bytes.elementsEqual("POST".utf8): return .post
        case 4 where bytes.elementsEqual("HEAD".utf8): return .head
        case 5 where bytes.elementsEqual("PATCH".utf8): return .patch
        case 6 where bytes.elementsEqual("DELETE".utf8): return .delete
        case 7 where bytes.elementsEqual("OPTIONS".utf8): return .options
        default: return nil
        }
    }

    static func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> Int {
        guard bytes.count == 8, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"),
            bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"),
            isDigit(bytes[5]), bytes[6] == UInt8(ascii: "."), isDigit(bytes[7])
        else {
            throw .badRequest("malformed HTTP version")
        }
        guard bytes[5] == UInt8(ascii: "1"), bytes[7] <= UInt8(ascii: "1") else {
            throw HTTP1ParseError(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported here")
        }
        return Int(bytes[7] - UInt8(ascii: "0"))
    }

    /// Accepts origin-form, absolute-form (RFC 9112 §3.2.2: a server must accept it) and
    /// asterisk-form for OPTIONS; authority-form belongs to CONNECT, which an origin server refuses.
    static func resolveTarget(
        _ target: String,
        method: HTTPRequest.Method,
        minorVersion: Int
    ) throws(HTTP1ParseError) -> RequestLine {
        if target.utf8.first == UInt8(ascii: "/") {
            guard !target.utf8.contains(UInt8(ascii: "#")) else {
                throw HTTP1ParseError(.badRequest, "fragment in request target", target: target)
            }
            return RequestLine(
                method: method, target: target, scheme: nil, authority: nil, path: target,
                minorVersion: minorVersion)
        }
        if target == "*" {
            guard method == .options else { throw .badRequest("asterisk-form is only for OPTIONS") }
            return RequestLine(
                method: method, target: target, scheme: nil, authority: nil, path: "*", minorVersion: minorVersion)
        }
        if method == .connect {
            throw HTTP1ParseError(.methodNotAllowed, "CONNECT is not supported by an origin server")
        }
        let lower = FieldSyntax.asciiLowercased(target.utf8)
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = String(rest[..<slash])
            let path = slash == rest.endIndex ? "/" : String(rest[slash...])
            guard !authority.isEmpty, isValidHost(authority), !path.contains("#") else {
                throw HTTP1ParseError(.badRequest, "malformed absolute-form target", target: target)
            }
            return RequestLine(
                method: method, target: target, scheme: String(scheme.dropLast(3)), authority: authority,
                path: path, minorVersion: minorVersion)
        }
        throw HTTP1ParseError(.badRequest, "malformed request target", target: target)
    }

    // MARK: - Field lines

    /// A checked field line: its name, and its value without surrounding whitespace.
    struct FieldLine {
        var name: HTTPField.Name
        var value: UnsafeRawBufferPointer
    }

    static func parseFieldLine(
        _ bytes: UnsafeRawBufferPointer,
        from start: Int,
        to end: Int,
        target: String?
    ) throws(HTTP1ParseError) -> FieldLine {
        let first = bytes[start]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            throw HTTP1ParseError(.badRequest, "obsolete line folding in header", target: target)
        }
        var index = start
        while index < end, isTokenChar(bytes[index]) { index += 1 }
        guard index < end, index > start else {
            throw HTTP1ParseError(.badRequest, "malformed header field name", target: target)
        }
        guard bytes[index] == UInt8(ascii: ":") else {
            let byte = bytes[index]
            let reason =
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
                ? "whitespace before colon in header" : "malformed header field name"
            throw HTTP1ParseError(.badRequest, reason, target: target)
        }
        let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        index += 1
        var valueStart = index
        var valueEnd = end
        while valueStart < valueEnd, isWhitespace(bytes[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        for position in valueStart..<valueEnd {
            let byte = bytes[position]
            // field-vchar, SP, HTAB and obs-text; any other control (CR, NUL, DEL…) is invalid.
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                throw HTTP1ParseError(.badRequest, "invalid character in header value", target: target)
            }
        }
        guard let name = knownFieldName(nameBytes) ?? HTTPField.Name(String(decoding: nameBytes, as: UTF8.self)) else {
            throw HTTP1ParseError(.badRequest, "malformed header field name", target: target)
        }
        return FieldLine(name: name, value: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]))
    }

    /// `Host`, which swift-http-types hides in favour of the authority pseudo-field.
    static let hostName = HTTPField.Name("host")!

    /// The fields browsers and tools send on nearly every request, matched case-insensitively to
    /// the predefined names: building a name from a string validates and lowercases it, which cost
    /// more than the rest of the field line.
    static let knownFieldNames: [Int: [([UInt8], HTTPField.Name)]] = {
        let predefined: [HTTPField.Name] = [
            hostName, .accept, .acceptEncoding, .acceptLanguage, .userAgent, .connection, .contentLength,
            .contentType, .transferEncoding, .expect, .cookie, .origin, .referer, .authorization, .cacheControl,
            .ifNoneMatch, .ifModifiedSince, .ifMatch, .ifUnmodifiedSince, .range, .ifRange, .priority, .upgrade, .te,
        ]
        let browserNames = [
            "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile",
            "sec-ch-ua-platform", "upgrade-insecure-requests", "pragma", "dnt",
        ]
        let names = predefined + browserNames.compactMap { HTTPField.Name($0) }
        var table: [Int: [([UInt8], HTTPField.Name)]] = [:]
        for name in names {
            table[name.canonicalName.utf8.count, default: []].append((Array(name.canonicalName.utf8), name))
        }
        return table
    }()

    /// The predefined name for `bytes` (already checked to be token characters), if it is one of
    /// ``knownFieldNames``. ORing 0x20 folds ASCII case; among token characters only upper-case
    /// letters fold onto the letters, digits and `-` of the known names.
    static func knownFieldName(_ bytes: UnsafeRawBufferPointer) -> HTTPField.Name? {
        guard let candidates = knownFieldNames[bytes.count] else { return nil }
        for (lowercased, name) in candidates {
            var equal = true
            for index in 0..<bytes.count where bytes[index] | 0x20 != lowercased[index] {
                equal = false
                break
            }
            if equal { return name }
        }
        return nil
    }

    // MARK: - Framing

    static func framing(
        contentLength: Int64?,
        transferEncodings: [Substring],
        minorVersion: Int,
        target: String
    ) throws(HTTP1ParseError) -> HTTP1RequestHead.BodyFraming {
        if transferEncodings.isEmpty {
            return contentLength.map { .contentLength($0) } ?? .none
        }
        guard contentLength == nil else {
            throw HTTP1ParseError(.badRequest, "both Content-Length and Transfer-Encoding", target: target)
        }
        guard minorVersion == 1 else {
            throw HTTP1ParseError(.badRequest, "Transfer-Encoding in an HTTP/1.0 request", target: target)
        }
        // ASCII-only folding: Unicode case mapping would turn "chun\u{212A}ed" (Kelvin sign) into
        // "chunked" and disagree with every other parser on where the message ends.
        let codings = transferEncodings.map { FieldSyntax.asciiLowercased($0.utf8) }
        guard codings.last == "chunked" else {
            throw HTTP1ParseError(.badRequest, "Transfer-Encoding does not end with chunked", target: target)
        }
        if codings.dropLast().contains("chunked") {
            throw HTTP1ParseError(.badRequest, "chunked applied more than once", target: target)
        }
        if codings.count > 1 {
            throw HTTP1ParseError(.notImplemented, "unsupported transfer coding", target: target)
        }
        return .chunked
    }

    /// `Content-Length = 1*DIGIT`; lists (even of equal values) are refused, as are signs and spaces.
    static func parseContentLength(_ value: String) -> Int64? {
        guard !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy(isDigit) else { return nil }
        return Int64(value)
    }

    static func isValidHost(_ host: String) -> Bool {
        guard host.utf8.count <= 255 else { return false }
        return host.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "/") && byte != UInt8(ascii: "\\")
                && byte != UInt8(ascii: "@") && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "#")
        }
    }

    // MARK: - Bytes

    /// Index of the CR of the CRLF ending the line at `start`; the scan has already checked that
    /// every LF is preceded by CR, so the first LF marks the line end.
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while bytes[index] != 0x0A { index += 1 }
        return index - 1
    }

    static func trimmed(_ value: Substring) -> Substring {
        var result = value
        while let first = result.utf8.first, isWhitespace(first) { result = result.dropFirst() }
        while let last = result.utf8.last, isWhitespace(last) { result = result.dropLast() }
        return result
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// `tchar` from RFC 9110 §5.6.2.
    @inline(__always) static func isTokenChar(_ byte: UInt8) -> Bool {
        FieldSyntax.isTokenChar(byte)
    }
}
