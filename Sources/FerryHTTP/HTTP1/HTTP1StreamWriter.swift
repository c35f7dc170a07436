import NIOCore

/// A streaming body writer that hops each write onto the connection's event loop and returns when
/// the bytes reached the socket.
struct HTTP1StreamWriter: HTTPBodyWriter {
    let handler: NIOLoopBound<HTTP1ConnectionHandler>
    let eventLoop: any EventLoop
    let exchangeID: UInt64

    func write(_ buffer: ByteBuffer) async throws {
        try await eventLoop.flatSubmit { handler.value.writeStreamChunk(buffer, exchangeID: exchangeID) }.get()
    }
}
