import FerryHTTP

/// Sees every finished exchange, on the event loop: access logs and metrics. Must be cheap.
public protocol ExchangeObserver: Sendable {
    func observe(_ record: HTTPExchangeRecord)
}
