import HTTPTypes
import NIOCore

/// Encodes response heads for HTTP/1.1 into one buffer, so a whole response goes out in one write.
enum HTTP1ResponseEncoder {
    /// The framing the engine chose for a response body.
    enum Framing: Equatable {
        /// No body may follow (HEAD, 1xx, 204, 304): no framing fields are added beyond what the
        /// handler set for HEAD.
        case noBody
        /// A HEAD response: the length the GET body would have, and no body.
        case headOf(length: Int64)
        case contentLength(Int64)
        case chunked
        /// HTTP/1.0 stream of unknown length: delimited by closing the connection.
        case untilClose
    }

    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func statusLine(_ status: HTTPResponse.Status) -> [UInt8] {
        if let cached = statusLines[status.code] { return cached }
        return Array("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
    }

    private static let statusLines: [Int: [UInt8]] = {
        var table: [Int: [UInt8]] = [:]
        let common: [HTTPResponse.Status] = [
            .ok, .created, .accepted, .noContent, .partialContent, .movedPermanently, .found,
            .seeOther, .notModified, .temporaryRedirect, .permanentRedirect, .badRequest, .unauthorized,
            .forbidden, .notFound, .methodNotAllowed, .notAcceptable, .requestTimeout, .conflict, .gone,
            .lengthRequired, .preconditionFailed, .contentTooLarge, .uriTooLong, .unsupportedMediaType,
            .rangeNotSatisfiable, .expectationFailed, .unprocessableContent, .tooManyRequests,
            .requestHeaderFieldsTooLarge, .internalServerError, .notImplemented, .serviceUnavailable,
            .httpVersionNotSupported,
        ]
        for status in common {
            table[status.code] = Array("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        }
        return table
    }()

    /// Writes status line, the handler's fields, then `Date`, framing and `Connection` fields.
    /// `prepared`, when given, is the already-encoded form of `response`; `connectionFields` are
    /// encoded lines the connection adds to every response (HSTS under TLS).
    static func encodeHead(
        _ response: HTTPResponse,
        prepared: PreparedHead? = nil,
        framing: Framing,
        keepAlive: Bool,
        http10: Bool,
        date: ByteBuffer,
        connectionFields: [UInt8] = [],
        into buffer: inout ByteBuffer
    ) {
        buffer.writeBytes(statusLine(response.status))
        // The block leaves out every engine-owned field; a bodiless response that states its
        // Content-Length (a 304 may) is rare enough to take the general path.
        if let prepared, framing != .noBody || response.headerFields[.contentLength] == nil {
            var block = prepared.http1Block
            buffer.writeBuffer(&block)
        } else {
            encodeFields(response.headerFields, framing: framing, into: &buffer)
        }
        buffer.writeBytes(connectionFields)
        buffer.writeStaticString("Date: ")
        var date = date
        buffer.writeBuffer(&date)
        buffer.writeStaticString("\r\n")
        switch framing {
        case .noBody, .untilClose:
            break
        case .contentLength(let length), .headOf(let length):
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(length))
            buffer.writeStaticString("\r\n")
        case .chunked:
            buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
        }
        if !keepAlive {
            buffer.writeStaticString("Connection: close\r\n")
        } else if http10 {
            buffer.writeStaticString("Connection: keep-alive\r\n")
        }
        buffer.writeStaticString("\r\n")
    }

    /// Writes the head of `101 Switching Protocols` that opens a tunnel: the responder's fields
    /// (`Upgrade`, `Sec-WebSocket-Accept`…) without framing fields, since no HTTP body follows,
    /// `Connection: Upgrade` unless the responder named `upgrade` in `Connection` itself (RFC 9110
    /// §7.8), and the connection's own fields. No `Date`: it is optional on 1xx.
    static func encodeSwitchingProtocols(
        _ response: HTTPResponse, connectionFields: [UInt8], into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString("HTTP/1.1 101 Switching Protocols\r\n")
        var namesUpgrade = false
        for field in response.headerFields {
            if field.name == .contentLength || field.name == .transferEncoding { continue }
            if field.name == .connection {
                namesUpgrade =
                    namesUpgrade
                    || field.value.split(separator: ",").contains {
                        FieldSyntax.asciiLowercased(HTTP1HeadParser.trimmed($0).utf8) == "upgrade"
                    }
            }
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        if !namesUpgrade { buffer.writeStaticString("Connection: Upgrade\r\n") }
        buffer.writeBytes(connectionFields)
        buffer.writeStaticString("\r\n")
    }

    /// Whether the engine writes this field itself: framing and connection management are not a
    /// handler's business, and its values are ignored.
    @inline(__always)
    static func isEngineOwned(_ name: HTTPField.Name) -> Bool {
        // Cheap length test first: name equality compares strings, and most fields are none of
        // these four.
        let length = name.canonicalName.utf8.count
        guard length == 4 || length == 10 || length == 14 || length == 17 else { return false }
        return name == .contentLength || name == .transferEncoding || name == .connection || name == .date
    }

    /// Writes `Name: value\r\n` for every field the engine does not own; a handler's
    /// Content-Length is kept only when no body follows (a 304 or 204 may state it).
    static func encodeFields(_ fields: HTTPFields, framing: Framing, into buffer: inout ByteBuffer) {
        for field in fields {
            if isEngineOwned(field.name) && !(framing == .noBody && field.name == .contentLength) {
                continue
            }
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            _ = field.withUnsafeBytesOfValue { buffer.writeBytes($0) }
            buffer.writeStaticString("\r\n")
        }
    }

    /// Writes one chunk of a chunked body: size line, data, CRLF.
    static func encodeChunk(_ data: ByteBuffer, into buffer: inout ByteBuffer) {
        buffer.writeString(String(data.readableBytes, radix: 16))
        buffer.writeStaticString("\r\n")
        var data = data
        buffer.writeBuffer(&data)
        buffer.writeStaticString("\r\n")
    }

    static let lastChunk: StaticString = "0\r\n\r\n"
}
