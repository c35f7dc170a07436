import Logging
import NIOCore
import ServiceLifecycle

/// Runs a ``FerryServer`` as a ServiceLifecycle service: serves until a graceful shutdown is
/// requested (SIGINT/SIGTERM through the service group), then drains and returns.
public struct FerryService: Service {
    let server: FerryServer
    /// Called once the socket is bound, with the address (the CLI prints the URL).
    let onListening: @Sendable (SocketAddress) async -> Void

    public init(server: FerryServer, onListening: @escaping @Sendable (SocketAddress) async -> Void) {
        self.server = server
        self.onListening = onListening
    }

    public func run() async throws {
        let address = try await server.start()
        await onListening(address)
        try? await gracefulShutdown()
        await server.shutdown()
    }
}
