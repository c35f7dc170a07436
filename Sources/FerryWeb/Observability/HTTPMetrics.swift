import FerryHTTP
import NIOConcurrencyHelpers
import Prometheus

/// Request metrics in a Prometheus registry: requests by route, method and status; latency
/// histogram by route; response bytes; open connections (sampled at scrape time).
public final class HTTPMetrics: ExchangeObserver {
    public let registry: PrometheusCollectorRegistry
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }
    private let counters = NIOLockedValueBox<[Key: Counter]>([:])
    private let histograms = NIOLockedValueBox<[String: DurationHistogram]>([:])
    private let bytes: Counter
    private let openConnections: Gauge
    private let connectionCount: @Sendable () -> Int

    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
        .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
    ]

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "ferry", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "ferry", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from request head to last response byte written")
    }

    public init(registry: PrometheusCollectorRegistry, connectionCount: @escaping @Sendable () -> Int) {
        self.registry = registry
        self.connectionCount = connectionCount
        self.bytes = registry.makeCounter(
            descriptor: .init(
                namespace: "ferry", subsystem: "http", metricName: "response", unitName: "bytes_total",
                helpText: "Response body bytes sent"))
        self.openConnections = registry.makeGauge(
            descriptor: .init(
                namespace: "ferry", subsystem: "http", metricName: "open", unitName: "connections",
                helpText: "Open client connections"))
    }

    public func observe(_ record: HTTPExchangeRecord) {
        let route = record.route ?? "unmatched"
        let method = record.request?.method.rawValue ?? "-"
        let status = record.response.status.code
        let key = Key(route: route, method: method, status: status)
        let counter = counters.withLockedValue { cache in
            if let counter = cache[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.requests,
                labels: [("route", route), ("method", method), ("status", String(status))])
            cache[key] = counter
            return counter
        }
        counter.increment()
        let histogram = histograms.withLockedValue { cache in
            if let histogram = cache[route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets)
            cache[route] = histogram
            return histogram
        }
        histogram.record(.nanoseconds(record.duration.nanoseconds))
        bytes.increment(by: record.bodyBytes)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        openConnections.set(Int64(connectionCount()))
        return registry.emitToBuffer()
    }
}
