import HTTPTypes
import NIOCore

@testable import FerryHTTP

/// Answers every request with a tunnel run by `run` (101 with the WebSocket fields), inline or
/// from an async handler.
final class TunnelResponder: HTTPResponder {
    let run: @Sendable (HTTPTunnel) async throws -> Void
    let isAsync: Bool
    let fields: HTTPFields

    init(
        isAsync: Bool = false,
        fields: HTTPFields = [
            .upgrade: "websocket", .connection: "Upgrade", .secWebSocketAccept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        ],
        run: @escaping @Sendable (HTTPTunnel) async throws -> Void
    ) {
        self.run = run
        self.isAsync = isAsync
        self.fields = fields
    }

    func respond(to request: HTTPServerRequest) -> HTTPResponderResult {
        let response = HTTPServerResponse(status: .switchingProtocols, headerFields: fields, body: .tunnel(run))
        return isAsync ? .async { response } : .ready(response)
    }

    func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse {
        HTTPServerResponse(status: error.status)
    }

    func requestCompleted(_ record: HTTPExchangeRecord) {}

    /// Echoes every byte back until the client's EOF, then writes "bye" and returns.
    static let echo: @Sendable (HTTPTunnel) async throws -> Void = { tunnel in
        for try await chunk in tunnel.inbound { try await tunnel.outbound.write(chunk) }
        try await tunnel.outbound.write(ByteBuffer(string: "bye"))
    }
}
