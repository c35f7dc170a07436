import FerryHTTP
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import FerryWeb

/// Captures log records for assertions.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    struct Entry {
        var message: String
        var metadata: Logger.Metadata
    }
    let entries = NIOLockedValueBox<[Entry]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        entries.withLockedValue {
            $0.append(Entry(message: event.message.description, metadata: event.metadata ?? [:]))
        }
    }
}

@Suite("Access log")
struct AccessLogTests {
    @Test("one structured line per exchange with id, method, path, status, bytes and duration")
    func structuredLine() {
        let handler = CapturingLogHandler()
        let log = AccessLog(logger: Logger(label: "test") { _ in handler })
        let response = HTTPResponse(status: .created)
        log.observe(
            HTTPExchangeRecord(
                request: HTTPRequest(method: .post, scheme: nil, authority: "h", path: "/api/v1/teams"),
                response: response, bodyBytes: 123, duration: .milliseconds(5),
                connection: HTTPConnectionInfo(
                    remoteAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 5000), localAddress: nil,
                    isSecure: false, protocolName: "HTTP/1.1"),
                requestID: "abc-1"))
        let entries = handler.entries.withLockedValue { $0 }
        #expect(entries.count == 1)
        #expect(entries.first?.message == "POST /api/v1/teams 201")
        #expect(entries.first?.metadata["request_id"] == "abc-1")
        #expect(entries.first?.metadata["bytes"] == "123")
        #expect(entries.first?.metadata["duration_us"] == "5000")
        #expect(entries.first?.metadata["remote"] == "127.0.0.1")
    }

    @Test("nothing is logged below the logger's level")
    func levelRespected() {
        let handler = CapturingLogHandler()
        handler.logLevel = .warning
        let log = AccessLog(logger: Logger(label: "test") { _ in handler })
        log.observe(
            HTTPExchangeRecord(
                request: nil, response: HTTPResponse(status: .ok), bodyBytes: 0, duration: .zero,
                connection: HTTPConnectionInfo(remoteAddress: nil, localAddress: nil, isSecure: false, protocolName: "")
            ))
        #expect(handler.entries.withLockedValue { $0.isEmpty })
    }
}
