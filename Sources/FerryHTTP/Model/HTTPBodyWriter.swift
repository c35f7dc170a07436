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
}

extension HTTPBodyWriter {
    /// One write after the other.
    public func write(contentsOf buffers: [ByteBuffer]) async throws {
        for buffer in buffers { try await write(buffer) }
    }
}
