import FerryHTTP
import HTTPTypes
import Testing

@testable import FerryWeb

@Suite("WebSocket handshake")
struct WebSocketHandshakeTests {
    private func request(_ method: HTTPRequest.Method = .get, fields: HTTPFields, protocol: String? = nil) -> Request {
        var head = HTTPRequest(method: method, scheme: "http", authority: "h", path: "/ws", headerFields: fields)
        head.extendedConnectProtocol = `protocol`
        return Request(
            head: head,
            connection: HTTPConnectionInfo(remoteAddress: nil, localAddress: nil, isSecure: false, protocolName: "t"))
    }

    private let upgrade: HTTPFields = [
        .upgrade: "websocket", .connection: "keep-alive, Upgrade", .secWebSocketKey: "dGhlIHNhbXBsZSBub25jZQ==",
        .secWebSocketVersion: "13", .secWebSocketProtocol: "other, ferry-signal.1",
    ]

    @Test("the RFC 6455 example key gives the RFC's accept value, over HTTP/1.1 with 101")
    func accept() throws {
        #expect(WebSocketHandshake.accept(key: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let handshake = try WebSocketHandshake(request(fields: upgrade), subprotocols: ["ferry-signal.1"])
        #expect(handshake.subprotocol == "ferry-signal.1")
        let response = handshake.response(configuration: .init(), handler: EchoHandler())
        #expect(response.status == .switchingProtocols)
        #expect(response.headers[.secWebSocketAccept] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(response.headers[.secWebSocketProtocol] == "ferry-signal.1")
        guard case .tunnel = response.body else {
            Issue.record("the body must be a tunnel")
            return
        }
    }

    @Test("an HTTP/2 extended CONNECT is answered with 200 and no accept key")
    func extendedConnect() throws {
        let fields: HTTPFields = [.secWebSocketVersion: "13", .secWebSocketProtocol: "ferry-signal.1"]
        let handshake = try WebSocketHandshake(
            request(.connect, fields: fields, protocol: "websocket"), subprotocols: ["ferry-signal.1"])
        let response = handshake.response(configuration: .init(), handler: EchoHandler())
        #expect(response.status == .ok)
        #expect(response.headers[.secWebSocketAccept] == nil)
    }

    @Test(
        "a request that is not a proper handshake is refused with a precise status",
        arguments: [
            ("no Upgrade", HTTPField.Name.upgrade, nil as String?, 426),
            ("Connection without upgrade", .connection, "keep-alive", 426),
            ("version 8", .secWebSocketVersion, "8", 426),
            ("short key", .secWebSocketKey, "c2hvcnQ=", 400),
            ("key not base64", .secWebSocketKey, "!!!!!!!!!!!!!!!!!!!!!!!!", 400),
            ("no subprotocol offered", .secWebSocketProtocol, nil, 400),
            ("another subprotocol", .secWebSocketProtocol, "ferry-signal.2", 400),
        ] as [(String, HTTPField.Name, String?, Int)])
    func refused(name: String, field: HTTPField.Name, value: String?, status: Int) {
        var fields = upgrade
        fields[field] = value
        #expect(throws: HTTPError.self, "\(name)") {
            try WebSocketHandshake(request(fields: fields), subprotocols: ["ferry-signal.1"])
        }
        do {
            _ = try WebSocketHandshake(request(fields: fields), subprotocols: ["ferry-signal.1"])
        } catch let error as HTTPError {
            #expect(error.status.code == status, "\(name)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
