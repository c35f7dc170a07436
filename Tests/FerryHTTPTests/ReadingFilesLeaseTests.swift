import Foundation
import NIOCore
import Synchronization
import Testing

@testable import FerryHTTP

/// Under TLS a file is read and written slice by slice; a lease that ends stops the slices that
/// are left (the failed stream then closes the exchange, as any body failing after its head).
@Suite struct ReadingFilesLeaseTests {
    final class CountingWriter: HTTPBodyWriter {
        let written = Mutex<[Int]>([])
        let afterFirst: @Sendable () -> Void

        init(afterFirst: @escaping @Sendable () -> Void) {
            self.afterFirst = afterFirst
        }

        func write(_ buffer: ByteBuffer) async throws {
            let count = written.withLock {
                $0.append(buffer.readableBytes)
                return $0.count
            }
            if count == 1 { afterFirst() }
        }
    }

    static func file(bytes: Int) throws -> String {
        let path = NSTemporaryDirectory() + "ferry-slices-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: bytes)))
        return path
    }

    @Test func anEndedLeaseStopsTheSlicesLeft() async throws {
        let path = try Self.file(bytes: 10 * 4096)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lease = ResponseLease()
        var response = HTTPServerResponse(
            status: .ok, body: .segments([.file(path: path, offset: 0, count: 10 * 4096)]))
        response.lease = lease
        let streamed = response.readingFiles(sliceSize: 4096)
        #expect(streamed.lease === lease)
        guard case .stream(let produce) = streamed.body else {
            Issue.record("not a stream")
            return
        }
        let writer = CountingWriter { lease.end() }
        await #expect(throws: ResponseLeaseEnded.self) { try await produce(writer) }
        let written: [Int] = writer.written.withLock { $0 }
        #expect(written == [4096], "one slice, then nothing")
    }

    @Test func aLeaseThatHoldsSendsEverySlice() async throws {
        let path = try Self.file(bytes: 10 * 4096 + 5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var response = HTTPServerResponse(
            status: .ok, body: .segments([.file(path: path, offset: 0, count: 10 * 4096 + 5)]))
        response.lease = ResponseLease(deadline: .now + .seconds(60))
        guard case .stream(let produce) = response.readingFiles(sliceSize: 4096).body else {
            Issue.record("not a stream")
            return
        }
        let writer = CountingWriter {}
        try await produce(writer)
        let total: Int = writer.written.withLock { $0.reduce(0, +) }
        #expect(total == 10 * 4096 + 5)
    }
}
