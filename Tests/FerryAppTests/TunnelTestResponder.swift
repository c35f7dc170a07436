import FerryHTTP
import HTTPTypes
import NIOCore

/// Answers extended CONNECT requests with tunnels, straight on the engine (no web layer), for
/// the tunnel tests:
///
/// - `/echo`: sends back every byte, ends when the client ends its side;
/// - `/echo-async`: the same, answered from an async handler;
/// - `/silent`: reads (counting bytes into ``received``) and never writes;
/// - `/bye`: writes `bye` and ends its side at once;
/// - `/throw`: fails after opening;
/// - `/tunnel-404`, and a GET of `/tunnel-get`: `.tunnel` answers the engine must refuse;
/// - anything else: `200 plain`.
///
/// How each tunnel's inbound ended is kept in ``endings`` (the last one).
struct TunnelTestResponder: HTTPResponder {
    let received = SharedCount()
    let endings = SharedText()

    func respond(to request: HTTPServerRequest) -> HTTPResponderResult {
        let received = self.received
        let endings = self.endings
        switch request.head.path {
        case "/echo":
            return .ready(HTTPServerResponse(status: .ok, body: .tunnel(Self.echo(endings))))
        case "/echo-async":
            return .async {
                await Task.yield()
                return HTTPServerResponse(status: .ok, body: .tunnel(Self.echo(endings)))
            }
        case "/silent":
            return .ready(
                HTTPServerResponse(
                    status: .ok,
                    body: .tunnel { tunnel in
                        do {
                            for try await chunk in tunnel.inbound {
                                received.store(received.value + chunk.readableBytes)
                            }
                            endings.set("end")
                        } catch {
                            endings.set("\(error)")
                            throw error
                        }
                    }))
        case "/bye":
            return .ready(
                HTTPServerResponse(
                    status: .ok, body: .tunnel { tunnel in try await tunnel.outbound.write(ByteBuffer(string: "bye")) })
            )
        case "/throw":
            return .ready(HTTPServerResponse(status: .ok, body: .tunnel { _ in throw CancellationError() }))
        case "/tunnel-404":
            return .ready(HTTPServerResponse(status: .notFound, body: .tunnel { _ in }))
        case "/tunnel-get":
            return .ready(HTTPServerResponse(status: .ok, body: .tunnel { _ in }))
        default:
            return .ready(HTTPServerResponse(status: .ok, body: .buffer(ByteBuffer(string: "plain"))))
        }
    }

    static func echo(_ endings: SharedText) -> @Sendable (HTTPTunnel) async throws -> Void {
        { tunnel in
            do {
                for try await chunk in tunnel.inbound { try await tunnel.outbound.write(chunk) }
                endings.set("end")
            } catch {
                endings.set("\(error)")
                throw error
            }
        }
    }

    func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse {
        HTTPServerResponse(status: error.status)
    }

    func requestCompleted(_ record: HTTPExchangeRecord) {}
}
