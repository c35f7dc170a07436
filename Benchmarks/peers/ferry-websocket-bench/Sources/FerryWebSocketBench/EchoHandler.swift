import FerryWeb

/// Sends every message back as it came: text as text, binary as binary.
struct EchoHandler: WebSocketHandler {
    func opened(_ socket: WebSocket) async {}

    func received(_ message: WebSocketMessage, on socket: WebSocket) async {
        switch message {
        case .text(let text): socket.send(text)
        case .binary(let bytes): socket.send(bytes)
        }
    }

    func closed(_ socket: WebSocket, code: WebSocketCloseCode?) async {}
}
