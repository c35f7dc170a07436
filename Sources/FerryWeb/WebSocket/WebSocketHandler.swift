/// What the layer above a WebSocket implements. Calls for one socket come from one task, in
/// order: `opened`, then each message (the next frame is not read until `received` returns, so
/// a slow handler slows its client down instead of buffering), then `closed` once.
public protocol WebSocketHandler: Sendable {
    func opened(_ socket: WebSocket) async
    func received(_ message: WebSocketMessage, on socket: WebSocket) async
    /// The session ended; `code` is the close code sent or received, nil when the connection
    /// dropped without a close handshake.
    func closed(_ socket: WebSocket, code: WebSocketCloseCode?) async
}
