import HTTPTypes
import NIOCore
import NIOEmbedded
import Testing

@testable import FerryHTTP

/// A responder answering on the event loop: the path is echoed in the body.
final class EchoPathResponder: HTTPResponder {
    func respond(to request: HTTPServerRequest) -> HTTPResponderResult {
        .ready(
            HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "text/plain"],
                body: .buffer(ByteBuffer(string: request.head.path ?? ""))))
    }

    func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse {
        HTTPServerResponse(status: error.status, body: .buffer(ByteBuffer(string: error.reason)))
    }

    func requestCompleted(_ record: HTTPExchangeRecord) {}
}

/// Byte-exact tests of the connection handler on an EmbeddedChannel (no sockets).
@Suite("HTTP/1.1 connection handler")
struct HTTP1ConnectionHandlerTests {
    func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(
            handler: HTTP1ConnectionHandler(responder: EchoPathResponder(), configuration: HTTPServerConfiguration()))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        return channel
    }

    /// All bytes written so far, with the Date value masked.
    func output(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
        }
        return text.replacing(/Date: [^\r]*/, with: "Date: *")
    }

    @Test("a GET is answered byte-exactly in one response")
    func byteExact() throws {
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(
            try output(channel)
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: *\r\nContent-Length: 6\r\n\r\n/hello")
        #expect(channel.isActive)
    }

    @Test("pipelined requests in one read are answered in order")
    func pipelining() throws {
        let channel = try makeChannel()
        try channel.writeInbound(
            ByteBuffer(
                string:
                    "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n"
            ))
        let text = try output(channel)
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().map { String($0.prefix(2)) }
        #expect(bodies == ["/1", "/2", "/3"])
    }

    @Test("HEAD gets the GET's Content-Length and no body")
    func head() throws {
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(string: "HEAD /abc HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(
            try output(channel) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: *\r\nContent-Length: 4\r\n\r\n"
        )
    }

    @Test("Connection: close is honoured and the channel closes after the response")
    func connectionClose() throws {
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"))
        let text = try output(channel)
        #expect(text.contains("Connection: close\r\n"))
        #expect(!channel.isActive)
    }

    @Test("HTTP/1.0 keep-alive is confirmed in the response")
    func http10KeepAlive() throws {
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
        #expect(try output(channel).contains("Connection: keep-alive\r\n"))
        #expect(channel.isActive)
    }

    @Test("a malformed request gets its status, Connection: close, and the channel closes")
    func malformed() throws {
        let channel = try makeChannel()
        try channel.writeInbound(
            ByteBuffer(string: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"))
        let text = try output(channel)
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(text.contains("Connection: close\r\n"))
        #expect(text.hasSuffix("repeated Content-Length"))
        #expect(!channel.isActive)
    }

    @Test("bytes after a smuggling attempt are never parsed as a request")
    func noSecondRequestAfterError() throws {
        let channel = try makeChannel()
        try channel.writeInbound(
            ByteBuffer(
                string:
                    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"
            ))
        let text = try output(channel)
        #expect(!text.contains("/smuggled"))
        #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2)
    }

    @Test("a request split across many reads is answered once complete")
    func splitRequest() throws {
        let channel = try makeChannel()
        for byte in "GET /split HTTP/1.1\r\nHost: h\r\n\r\n".utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        #expect(try output(channel).hasSuffix("/split"))
    }
}
