import FerryHTTP
import NIOConcurrencyHelpers
import Prometheus

/// Request metrics in a Prometheus registry: requests by route, method and status; latency
/// histogram by route; response bytes; open connections and the bytes read from and written to
/// client sockets (both sampled at scrape time).
public final class HTTPMetrics: ExchangeObserver {
    public let registry: PrometheusCollectorRegistry
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }
    private struct Cache {
        /// Counter and histogram by label set, found with one lookup per request.
        var metrics: [Key: (Counter, DurationHistogram)] = [:]
        var histograms: [String: DurationHistogram] = [:]
    }
    /// Metric objects by label set; the registry would find them too, but under its own lock and
    /// with more hashing.
    private let cache = NIOLockedValueBox(Cache())
    private let bytes: Counter
    private let openConnections: Gauge
    private let connectionCount: @Sendable () -> Int
    private let traffic: NetworkTraffic?
    private let receivedBytes: Counter
    private let sentBytes: Counter
    /// The socket byte totals already added to the two counters: the engine keeps its own atomic
    /// totals (no registry lookup on the data path) and each scrape adds what moved since the last.
    private let reportedTraffic = NIOLockedValueBox((received: 0, sent: 0))

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

    /// `traffic` is the engine's socket byte count, exposed as `ferry_network_received_bytes_total`
    /// and `ferry_network_sent_bytes_total`; nil leaves both at zero.
    public init(
        registry: PrometheusCollectorRegistry, traffic: NetworkTraffic? = nil,
        connectionCount: @escaping @Sendable () -> Int
    ) {
        self.registry = registry
        self.connectionCount = connectionCount
        self.traffic = traffic
        self.receivedBytes = registry.makeCounter(
            descriptor: .init(
                namespace: "ferry", subsystem: "network", metricName: "received", unitName: "bytes_total",
                helpText: "Bytes read from client sockets (TLS as ciphertext), every protocol"))
        self.sentBytes = registry.makeCounter(
            descriptor: .init(
                namespace: "ferry", subsystem: "network", metricName: "sent", unitName: "bytes_total",
                helpText: "Bytes written to client sockets (TLS as ciphertext), every protocol"))
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
        let key = Key(route: route, method: record.request?.method.rawValue ?? "-", status: record.response.status.code)
        let (counter, histogram) = cache.withLockedValue { cache -> (Counter, DurationHistogram) in
            if let found = cache.metrics[key] { return found }
            let counter = registry.makeCounter(
                descriptor: Self.requests,
                labels: [("route", key.route), ("method", key.method), ("status", String(key.status))])
            let histogram =
                cache.histograms[route]
                ?? registry.makeDurationHistogram(
                    descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets)
            cache.histograms[route] = histogram
            cache.metrics[key] = (counter, histogram)
            return (counter, histogram)
        }
        counter.increment()
        histogram.record(.nanoseconds(record.duration.nanoseconds))
        bytes.increment(by: record.bodyBytes)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        openConnections.set(Int64(connectionCount()))
        if let traffic {
            // Under the lock, so that two concurrent scrapes never add the same bytes twice.
            reportedTraffic.withLockedValue { reported in
                let received = traffic.receivedBytes
                let sent = traffic.sentBytes
                receivedBytes.increment(by: Int64(received - reported.received))
                sentBytes.increment(by: Int64(sent - reported.sent))
                reported = (received, sent)
            }
        }
        return registry.emitToBuffer()
    }
}
