/// Why a client's frames end its session, and the close code that says so.
struct WebSocketViolation: Error, Equatable {
    var code: WebSocketCloseCode
    var reason: String

    static func protocolError(_ reason: String) -> WebSocketViolation { .init(code: .protocolError, reason: reason) }
    static func tooBig(_ reason: String) -> WebSocketViolation { .init(code: .messageTooBig, reason: reason) }
}
