public import NIOCore

/// Writes a streaming response body. Each `write` returns once the bytes are handed to the socket,
/// so a fast producer cannot outrun a slow client.
public protocol HTTPBodyWriter: Sendable {
    func write(_ buffer: ByteBuffer) async throws
    /// Writes `buffers` in order and returns once all of them reached the socket: one trip to the
    /// event loop and, over HTTP/1.1, one gathering system call. For a producer whose bytes are
    /// already in separate buffers (a WebSocket frame header and its payload), which would
    /// otherwise copy them into one.
    func write(contentsOf buffers: [ByteBuffer]) async throws
    /// Starts writing `buffers` as ``write(contentsOf:)`` does and returns at once; `completion`
    /// runs once they reached the socket (with nil) or the write failed (with the error), on the
    /// connection's event loop where there is one. One such write at a time: start the next from
    /// the completion of the last. For a producer that keeps its own queue (a WebSocket's), which
    /// then needs no task waiting on each write: the event loop writes the next batch itself.
    func startWrite(contentsOf buffers: [ByteBuffer], completion: @escaping @Sendable ((any Error)?) -> Void)
}

extension HTTPBodyWriter {
    /// One write after the other.
    public func write(contentsOf buffers: [ByteBuffer]) async throws {
        for buffer in buffers { try await write(buffer) }
    }

    /// The write in a task of its own (in order, since one runs at a time).
    public func startWrite(contentsOf buffers: [ByteBuffer], completion: @escaping @Sendable ((any Error)?) -> Void) {
        Task {
            do {
                try await write(contentsOf: buffers)
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }
}
