import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Collects log lines in memory and writes them from a background thread every 50 ms, so an access
/// log never blocks an event loop on a slow terminal, pipe or disk. Past `maxBufferedBytes` lines
/// are dropped and counted (the count is logged with the next write) rather than stalling serving.
public final class BufferedLogSink: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var dropped = 0
        var stopped = false
        var second = 0
        var timestamp = ""
    }

    private let state = NIOLockedValueBox(State())
    private let descriptor: Int32
    private let maxBufferedBytes: Int

    /// Writes to `descriptor` (standard error by default).
    public convenience init(descriptor: Int32 = 2, maxBufferedBytes: Int = 4 * 1024 * 1024) {
        self.init(descriptor: descriptor, maxBufferedBytes: maxBufferedBytes, writesInBackground: true)
    }

    /// `writesInBackground: false` leaves writing to explicit ``flush()`` calls (tests).
    init(descriptor: Int32, maxBufferedBytes: Int, writesInBackground: Bool) {
        self.descriptor = descriptor
        self.maxBufferedBytes = maxBufferedBytes
        guard writesInBackground else { return }
        let thread = Thread { [self] in self.run() }
        thread.name = "ferry-log-writer"
        thread.start()
    }

    public func append(_ line: String) {
        state.withLockedValue { state in
            guard state.buffer.count + line.utf8.count <= maxBufferedBytes else {
                state.dropped += 1
                return
            }
            state.buffer.append(contentsOf: line.utf8)
        }
    }

    /// The current time as ISO 8601, formatted once per second rather than once per line.
    public func timestamp() -> String {
        let now = time(nil)
        return state.withLockedValue { state in
            if state.second != now || state.timestamp.isEmpty {
                state.second = now
                state.timestamp = Date(timeIntervalSince1970: TimeInterval(now)).formatted(.iso8601)
            }
            return state.timestamp
        }
    }

    /// Writes what is buffered now (also called at shutdown).
    public func flush() {
        let (bytes, dropped) = state.withLockedValue { state -> ([UInt8], Int) in
            defer {
                state.buffer.removeAll(keepingCapacity: true)
                state.dropped = 0
            }
            return (state.buffer, state.dropped)
        }
        var output = bytes
        if dropped > 0 { output += Array("log buffer full: \(dropped) line(s) dropped\n".utf8) }
        var offset = 0
        while offset < output.count {
            let written = output[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Stops the writer thread after a last flush.
    public func stop() {
        state.withLockedValue { $0.stopped = true }
        flush()
    }

    private func run() {
        while !state.withLockedValue({ $0.stopped }) {
            usleep(50_000)
            flush()
        }
    }
}
