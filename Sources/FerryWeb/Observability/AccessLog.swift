import FerryHTTP
import Logging

/// One structured log line per exchange: request id, method, path, status, bytes, duration.
public struct AccessLog: ExchangeObserver {
    let logger: Logger
    /// Path prefixes whose next segment is a secret (an invite code, a setup token): logged as
    /// `…`, since whoever reads the logs must not be able to use them.
    let secretPathPrefixes: [String]

    public init(logger: Logger, secretPathPrefixes: [String] = []) {
        self.logger = logger
        self.secretPathPrefixes = secretPathPrefixes
    }

    public func observe(_ record: HTTPExchangeRecord) {
        guard logger.logLevel <= .info else { return }
        let path = record.request?.path.map(redacted) ?? "-"
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

    /// `path` without the query (which may carry tokens) and with secret segments masked.
    func redacted(_ path: String) -> String {
        var path = path
        if let mark = path.firstIndex(of: "?") { path = String(path[..<mark]) }
        for prefix in secretPathPrefixes where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            let tail = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
            return prefix + "…" + tail
        }
        return path
    }
}
