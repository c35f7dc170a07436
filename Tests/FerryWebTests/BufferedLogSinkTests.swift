import Foundation
import Logging
import Testing

@testable import FerryWeb

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Buffered log sink")
struct BufferedLogSinkTests {
    /// A pipe whose read end is drained after the sink is flushed.
    static func pipePair() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        return (fds[0], fds[1])
    }

    static func drain(_ fd: Int32) -> String {
        var flags = fcntl(fd, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(fd, F_SETFL, flags)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("lines from swift-log arrive in order, formatted, once flushed")
    func linesArrive() {
        let (readEnd, writeEnd) = Self.pipePair()
        defer {
            close(readEnd)
            close(writeEnd)
        }
        let sink = BufferedLogSink(descriptor: writeEnd)
        var logger = Logger(label: "ferry.access") { BufferedLogHandler(label: $0, sink: sink) }
        logger.logLevel = .info
        logger.info("GET / 200", metadata: ["status": "200", "bytes": "5"])
        logger.debug("hidden")
        logger.info("GET /x 404")
        sink.stop()
        let lines = Self.drain(readEnd).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("info ferry.access: bytes=5 status=200 GET / 200") == true)
        #expect(lines.last?.hasSuffix("GET /x 404") == true)
    }

    @Test("past the buffer limit lines are dropped and counted, never blocking the caller")
    func overflowDrops() {
        let (readEnd, writeEnd) = Self.pipePair()
        defer {
            close(readEnd)
            close(writeEnd)
        }
        let sink = BufferedLogSink(descriptor: writeEnd, maxBufferedBytes: 20, writesInBackground: false)
        sink.append("0123456789\n")
        sink.append("abcdefghij\n")  // would pass 20 bytes
        sink.append("klm\n")
        sink.flush()
        let text = Self.drain(readEnd)
        #expect(text == "0123456789\nklm\nlog buffer full: 1 line(s) dropped\n")
    }
}
