import FerryHTTP
import FerryWeb
import Logging
import NIOCore

/// An HTTP server with routes written by the test, on the same engine and web layer as Ferry:
/// for behaviour no production route exercises (slow handlers, streams, huge bodies).
struct TestWebServer {
    let http: HTTPServer
    let port: Int

    static func start(
        configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        observers: [any ExchangeObserver] = [],
        routes: (RouterBuilder) -> Void
    ) async throws -> TestWebServer {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let router = RouterBuilder()
        routes(router)
        let responder = WebResponder(
            router: router.build(), errors: ErrorRenderer(pages: nil, logger: Logger(label: "test")),
            observers: observers)
        let http = HTTPServer(configuration: configuration, responder: responder)
        let address = try await http.start()
        return TestWebServer(http: http, port: address.port ?? 0)
    }

    func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }

    func stop() async { await http.shutdownGracefully() }
}
