import FerryHTTP
import Logging

/// One structured log line per exchange: request id, method, path, status, bytes, duration.
public struct AccessLog: ExchangeObserver {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func observe(_ record: HTTPExchangeRecord) {
        guard logger.logLevel <= .info else { return }
        let path = record.request?.path ?? "-"
        logger.info(
            "\(record.request?.method.rawValue ?? "-") \(path) \(record.response.status.code)",
            metadata: [
                "request_id": "\(record.requestID ?? "-")",
                "status": "\(record.response.status.code)",
                "bytes": "\(record.bodyBytes)",
                // Integer microseconds: formatting a Double per request costs more than the rest.
                "duration_us": "\(record.duration.nanoseconds / 1000)",
                "protocol": "\(record.connection.protocolName)",
                "remote": "\(record.connection.remoteIP ?? "-")",
            ])
    }
}
