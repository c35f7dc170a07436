import Crypto
import FerryHTTP
import Foundation
import HTTPTypes

/// The opening handshake of a WebSocket, in both forms: an HTTP/1.1 `GET` with
/// `Upgrade: websocket` answered with `101` (RFC 6455 §4), or an HTTP/2 extended CONNECT with
/// `:protocol = websocket` answered with `200` (RFC 8441 §5). Checks the request, agrees a
/// subprotocol, and builds the answer whose body runs the session.
public struct WebSocketHandshake: Sendable {
    /// The subprotocol both sides agreed on, if the server offered any.
    public let subprotocol: String?
    private let acceptKey: String?

    /// Checks a handshake request; throws `400` (or `426` for a wrong version) with a precise
    /// reason when it is not one.
    /// - Parameter subprotocols: the server's subprotocols, most preferred first. When not empty,
    ///   the client must offer one of them (`400`, type `websocket-subprotocol`).
    public init(_ request: Request, subprotocols: [String]) throws {
        let head = request.head
        if head.method == .connect {
            guard head.extendedConnectProtocol?.lowercased() == "websocket" else {
                throw HTTPError(.badRequest, detail: "Only WebSocket tunnels are offered here.", type: "websocket")
            }
            acceptKey = nil
        } else {
            guard head.method == .get else {
                throw HTTPError(.methodNotAllowed, detail: "A WebSocket opens with GET.", headers: [.allow: "GET"])
            }
            guard Self.hasToken("websocket", in: head.headerFields[values: .upgrade]),
                Self.hasToken("upgrade", in: head.headerFields[values: .connection])
            else {
                throw HTTPError(
                    .upgradeRequired, detail: "This address speaks WebSocket only (Upgrade: websocket).",
                    type: "websocket", headers: [.upgrade: "websocket", .connection: "Upgrade"])
            }
            guard let key = head.headerFields[.secWebSocketKey],
                let decoded = Data(base64Encoded: key), decoded.count == 16
            else {
                throw HTTPError(
                    .badRequest, detail: "Sec-WebSocket-Key must be 16 bytes in base64.", type: "websocket")
            }
            acceptKey = Self.accept(key: key)
        }
        guard head.headerFields[.secWebSocketVersion] == "13" else {
            throw HTTPError(
                .upgradeRequired, detail: "Only WebSocket version 13 is spoken here.", type: "websocket",
                headers: [.secWebSocketVersion: "13"])
        }
        let offered = head.headerFields[values: .secWebSocketProtocol]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if subprotocols.isEmpty {
            subprotocol = nil
        } else if let agreed = subprotocols.first(where: offered.contains) {
            subprotocol = agreed
        } else {
            throw HTTPError(
                .badRequest,
                detail: "Offer the subprotocol \(subprotocols.joined(separator: " or ")) in Sec-WebSocket-Protocol.",
                type: "websocket-subprotocol")
        }
    }

    /// The answer that opens the session: `101` with the accept key over HTTP/1.1, `200` over
    /// HTTP/2. Extensions are never agreed (no compression), so the client must not set RSV bits.
    public func response(configuration: WebSocketConfiguration, handler: any WebSocketHandler) -> Response {
        var headers = HTTPFields()
        let status: HTTPResponse.Status
        if let acceptKey {
            status = .switchingProtocols
            headers[.upgrade] = "websocket"
            headers[.connection] = "Upgrade"
            headers[.secWebSocketAccept] = acceptKey
        } else {
            status = .ok
        }
        if let subprotocol { headers[.secWebSocketProtocol] = subprotocol }
        let subprotocol = self.subprotocol
        return Response(
            status: status, headers: headers,
            body: .tunnel { tunnel in
                let socket = WebSocket(subprotocol: subprotocol, configuration: configuration)
                await WebSocketSession.run(tunnel: tunnel, socket: socket, handler: handler)
            })
    }

    /// `Sec-WebSocket-Accept`: base64(SHA-1(key + the RFC's GUID)) (RFC 6455 §4.2.2).
    static func accept(key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }

    private static func hasToken(_ token: String, in values: [String]) -> Bool {
        values.contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == token }
        }
    }
}
