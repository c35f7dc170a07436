import FerryApp
import FerryWeb
import NIOCore

/// `GET /metrics`: the Prometheus text exposition, answered on the event loop.
struct MetricsModule: FerryModule {
    let metrics: HTTPMetrics

    func register(on routes: ModuleRoutes) {
        let metrics = self.metrics
        routes.site.onInline(.get, "/metrics") { _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .buffer(ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
