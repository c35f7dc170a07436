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
    /// `/` are read as one, as the router reads them (`//d/ID` reaches the drop page too), and
    /// prefixes match in any ASCII case. After a secret prefix, anything unusual — a `%` escape, a
    /// `.` or `..` segment (refused, but typed with a secret behind it) — masks the whole rest.
    func redacted(_ path: String) -> String {
        var path = Substring(path)
        if let mark = path.firstIndex(of: "?") { path = path[..<mark] }
        guard !secretPathPrefixes.isEmpty else { return String(path) }
        var collapsed = String(path)
        if collapsed.contains("//") {
            collapsed = ""
            for character in path where !(character == "/" && collapsed.last == "/") { collapsed.append(character) }
        }
        for prefix in secretPathPrefixes where Self.hasPrefixIgnoringASCIICase(collapsed, prefix) {
            // The prefix is ASCII: its UTF-8 length ends on a character boundary.
            let restStart = collapsed.utf8.index(collapsed.utf8.startIndex, offsetBy: prefix.utf8.count)
            let rest = collapsed[restStart...]
            let secret = rest.prefix { $0 != "/" }
            let tail = rest.dropFirst(secret.count)
            let segments = rest.split(separator: "/", omittingEmptySubsequences: false)
            if rest.contains("%") || segments.contains(where: { $0 == "." || $0 == ".." }) {
                return prefix + "…"
            }
            return prefix + "…" + tail
        }
        return collapsed
    }

    /// Whether `text` begins with `prefix`, byte for byte but for ASCII letters' case.
    static func hasPrefixIgnoringASCIICase(_ text: String, _ prefix: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        for expected in prefix.utf8 {
            guard let byte = bytes.next() else { return false }
            if byte == expected { continue }
            guard isASCIILetter(byte), isASCIILetter(expected), byte | 0x20 == expected | 0x20 else { return false }
        }
        return true
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }
}
