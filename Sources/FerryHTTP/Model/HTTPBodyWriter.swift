public import NIOCore

/// Writes a streaming response body. Each `write` returns once the bytes are handed to the socket,
/// so a fast producer cannot outrun a slow client.
public protocol HTTPBodyWriter: Sendable {
    func write(_ buffer: ByteBuffer) async throws
}
