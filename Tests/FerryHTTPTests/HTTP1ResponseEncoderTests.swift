import HTTPTypes
import NIOCore
import Testing

@testable import FerryHTTP

@Suite("HTTP/1.1 response encoder")
struct HTTP1ResponseEncoderTests {
    static let date = ByteBuffer(string: "Wed, 25 Nov 2026 17:00:00 GMT")

    static func encode(
        _ response: HTTPResponse, prepared: PreparedHead? = nil, framing: HTTP1ResponseEncoder.Framing,
        keepAlive: Bool = true, http10: Bool = false
    ) -> String {
        var buffer = ByteBuffer()
        HTTP1ResponseEncoder.encodeHead(
            response, prepared: prepared, framing: framing, keepAlive: keepAlive, http10: http10, date: date,
            into: &buffer)
        return String(buffer: buffer)
    }

    @Test("engine-owned fields from the handler are dropped; the engine writes Date, framing and Connection")
    func engineOwnedFields() {
        let response = HTTPResponse(
            status: .ok,
            headerFields: [
                .contentType: "text/plain", .contentLength: "999", .transferEncoding: "gzip", .connection: "upgrade",
                .date: "yesterday", .eTag: "\"x\"",
            ])
        #expect(
            Self.encode(response, framing: .contentLength(5), keepAlive: false)
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"x\"\r\n"
                + "Date: Wed, 25 Nov 2026 17:00:00 GMT\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
    }

    @Test(
        "a prepared head encodes byte for byte like the same fields encoded per request",
        arguments: [
            HTTP1ResponseEncoder.Framing.contentLength(1024), .headOf(length: 1024), .noBody, .chunked, .untilClose,
        ])
    func preparedMatchesUnprepared(framing: HTTP1ResponseEncoder.Framing) {
        let fields: HTTPFields = [
            .contentType: "application/json", .cacheControl: "no-store", .contentLength: "1024",
            .xContentTypeOptions: "nosniff",
        ]
        for status in [HTTPResponse.Status.ok, .notModified] {
            let prepared = PreparedHead(status: status, fields: fields)
            for (keepAlive, http10) in [(true, false), (false, false), (true, true)] {
                let plain = Self.encode(prepared.head, framing: framing, keepAlive: keepAlive, http10: http10)
                let fast = Self.encode(
                    prepared.head, prepared: prepared, framing: framing, keepAlive: keepAlive, http10: http10)
                #expect(fast == plain)
            }
        }
        // A 304 (no body) keeps the handler's Content-Length; other framings replace it.
        let notModified = PreparedHead(status: .notModified, fields: fields)
        let text = Self.encode(notModified.head, prepared: notModified, framing: framing)
        #expect(
            text.components(separatedBy: "Content-Length:").count
                == (framing == .untilClose || framing == .chunked ? 1 : 2))
    }

    @Test("a 101 head keeps the responder's fields, drops framing, and names Upgrade in Connection once")
    func switchingProtocols() {
        func encode(_ fields: HTTPFields, connectionFields: String = "") -> String {
            var buffer = ByteBuffer()
            HTTP1ResponseEncoder.encodeSwitchingProtocols(
                HTTPResponse(status: .switchingProtocols, headerFields: fields),
                connectionFields: Array(connectionFields.utf8), into: &buffer)
            return String(buffer: buffer)
        }
        #expect(
            encode([.upgrade: "websocket", .contentLength: "0", .transferEncoding: "chunked"])
                == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        #expect(
            encode(
                [.upgrade: "websocket", .connection: "keep-alive, UPGRADE"],
                connectionFields: "Strict-Transport-Security: max-age=1\r\n")
                == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive, UPGRADE\r\n"
                + "Strict-Transport-Security: max-age=1\r\n\r\n")
    }
}
