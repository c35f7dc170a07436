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

    /// `path` without the query (which may carry tokens) and with secret segments masked. Runs of
    /// `/` are read as one, as the router reads them (`//d/ID` reaches the drop page too); after a
    /// secret prefix, a `.` or `..` segment (refused, but typed with a secret behind it) masks the
    /// whole rest.
    func redacted(_ path: String) -> String {
        var path = Substring(path)
        if let mark = path.firstIndex(of: "?") { path = path[..<mark] }
        guard !secretPathPrefixes.isEmpty else { return String(path) }
        var collapsed = String(path)
        if collapsed.contains("//") {
            collapsed = ""
            for character in path where !(character == "/" && collapsed.last == "/") { collapsed.append(character) }
        }
        for prefix in secretPathPrefixes where collapsed.hasPrefix(prefix) {
            let rest = collapsed.dropFirst(prefix.count)
            let secret = rest.prefix { $0 != "/" }
            let tail = rest.dropFirst(secret.count)
            if secret == "." || secret == ".." || tail.contains("/./") || tail.contains("/../") || tail.hasSuffix("/.")
                || tail.hasSuffix("/..")
            {
                return prefix + "…"
            }
            return prefix + "…" + tail
        }
        return collapsed
    }
}
