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
    static func encodeHead(
        _ response: HTTPResponse,
        framing: Framing,
        keepAlive: Bool,
        http10: Bool,
        date: ByteBuffer,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeBytes(statusLine(response.status))
        for field in response.headerFields {
            switch field.name {
            case .contentLength, .transferEncoding, .connection, .date:
                // The engine owns framing and connection management; a handler's value is ignored
                // unless it is the Content-Length of a HEAD response (kept below).
                if framing == .noBody && field.name == .contentLength { break }
                if case .headOf = framing, field.name == .contentLength { continue }
                continue
            default:
                break
            }
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            _ = field.withUnsafeBytesOfValue { buffer.writeBytes($0) }
            buffer.writeStaticString("\r\n")
        }
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
