import FerryHTTP
import FerryWeb
import Foundation
import Synchronization
import Testing

/// A response whose lease ends while its file is being sent stops part-way, on every transport:
/// HTTP/1.1 (sendfile) closes the connection, HTTP/2 resets the stream. A response whose lease
/// holds is sent whole. Either way the exchange is recorded (access log, metrics) with the body
/// bytes it really sent.
@Suite("Responses whose lease ends")
struct LiveResponseLeaseTests {
    /// 64 MiB, sparse: far more than loopback's socket buffers hold.
    static let fileSize: Int64 = 64 * 1024 * 1024

    final class Leases: Sendable {
        let current = Mutex<ResponseLease?>(nil)
    }

    /// The exchanges the server recorded, as the access log and the metrics see them.
    final class Records: ExchangeObserver {
        let all = Mutex<[HTTPExchangeRecord]>([])
        func observe(_ record: HTTPExchangeRecord) { all.withLock { $0.append(record) } }

        /// The record of `/file`, once there is one (the server records it when the body ends).
        func file() async throws -> HTTPExchangeRecord {
            for _ in 0..<1000 {
                if let record = all.withLock({ $0.first { $0.request?.path == "/file" } }) { return record }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw CancellationError()
        }
    }

    static func bigFile() throws -> String {
        let path = NSTemporaryDirectory() + "ferry-lease-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(fileSize))
        try handle.close()
        return path
    }

    static func server(file: String, leases: Leases, records: Records) async throws -> TestWebServer {
        try await TestWebServer.start(observers: [records]) { router in
            router.routes.get("/file") { _ in
                var response = Response(body: .segments([.file(path: file, offset: 0, count: fileSize)]))
                let lease = ResponseLease()
                leases.current.withLock { $0 = lease }
                response.lease = lease
                return response
            }
        }
    }

    static func waitForLease(_ leases: Leases) async throws -> ResponseLease {
        for _ in 0..<500 {
            if let lease = leases.current.withLock({ $0 }) { return lease }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }

    /// Runs `body` against a server whose `/file` answers the big file under a new lease.
    static func withServer(_ body: (TestWebServer, Leases, Records) async throws -> Void) async throws {
        let file = try bigFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let leases = Leases()
        let records = Records()
        let server = try await server(file: file, leases: leases, records: records)
        do {
            try await body(server, leases, records)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// The length of the response head at the start of `bytes` (through its blank line).
    static func headLength(_ bytes: [UInt8]) -> Int {
        let blank: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= blank.count else { return bytes.count }
        for index in 0...(bytes.count - blank.count) where Array(bytes[index..<index + blank.count]) == blank {
            return index + blank.count
        }
        return bytes.count
    }

    @Test("HTTP/1.1: ended → the connection closes before the promised length")
    func http1CutsTheConnection() async throws {
        try await Self.withServer { server, leases, records in
            let client = try server.client()
            await client.send("GET /file HTTP/1.1\r\nHost: h\r\n\r\n")
            let lease = try await Self.waitForLease(leases)
            try await Task.sleep(for: .milliseconds(200))  // the socket buffers fill; the rest waits
            lease.end()
            let received = await client.readToEnd()
            #expect(received.count > 0)
            #expect(Int64(received.count) < Self.fileSize / 2, "stopped part-way: \(received.count) bytes")
            // Logged with what was written to the socket: at least what arrived, not the length
            // the head promised.
            let record = try await records.file()
            let body = Int64(received.count - Self.headLength(received))
            #expect(record.bodyBytes >= body && record.bodyBytes < Self.fileSize / 2, "\(record.bodyBytes) vs \(body)")
        }
    }

    @Test("HTTP/1.1: ended before the response → the head, no byte of the file, and the connection closes")
    func http1EndedBeforeTheFirstSlice() async throws {
        let file = try Self.bigFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let server = try await TestWebServer.start { router in
            router.routes.get("/file") { _ in
                var response = Response(body: .segments([.file(path: file, offset: 0, count: Self.fileSize)]))
                let lease = ResponseLease()
                lease.end()
                response.lease = lease
                return response
            }
        }
        defer { Task { await server.stop() } }
        let client = try server.client()
        await client.send("GET /file HTTP/1.1\r\nHost: h\r\n\r\n")
        let received = await client.readToEnd()
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"))
        let endsWithTheHead = text.hasSuffix("\r\n\r\n")
        #expect(endsWithTheHead, "nothing after the head: \(received.count) bytes")
    }

    @Test("HTTP/1.1: a lease that holds → the whole file")
    func http1SendsWholeWhileTheLeaseHolds() async throws {
        try await Self.withServer { server, _, records in
            let client = try server.client()
            await client.send("GET /file HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            let received = await client.readToEnd()
            #expect(Int64(received.count - Self.headLength(received)) == Self.fileSize, "head and the whole body")
            #expect(try await records.file().bodyBytes == Self.fileSize)
        }
    }

    @Test("HTTP/2: ended → RST_STREAM(CANCEL) before the promised length")
    func http2ResetsTheStream() async throws {
        try await Self.withServer { server, leases, records in
            let client = try HTTP2TestClient(port: server.port)
            #expect(await client.handshake() != nil)
            await client.get(stream: 1, path: "/file")
            // The default window (64 KiB) holds the rest back until the lease has ended.
            let first = await client.readBytes(stream: 1, count: 65_535)
            #expect(first.bytes.count == 65_535)
            let lease = try await Self.waitForLease(leases)
            lease.end()
            let window = HTTP2TestClient.integerBytes(1 << 30)
            await client.send(type: HTTP2TestClient.windowUpdate, stream: 0, payload: window)
            await client.send(type: HTTP2TestClient.windowUpdate, stream: 1, payload: window)
            let (reset, seen) = await client.waitFor { $0.type == HTTP2TestClient.rstStream && $0.streamID == 1 }
            #expect(reset?.errorCode == 8, "CANCEL")
            let more = seen.filter { $0.type == HTTP2TestClient.data && $0.streamID == 1 }.reduce(0) {
                $0 + $1.payload.count
            }
            #expect(!seen.contains { $0.endStream && $0.streamID == 1 }, "never ended as if complete")
            #expect(more <= 1024 * 1024, "at most what was read ahead: \(more) bytes")
            // Logged with the bytes of its DATA frames, every one of which arrived before the reset.
            #expect(try await records.file().bodyBytes == Int64(65_535 + more))
        }
    }
}
