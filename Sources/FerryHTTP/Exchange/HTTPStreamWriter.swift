import NIOCore

/// A streaming body writer that hops each write onto the connection's event loop and returns when
/// the bytes reached the socket.
struct HTTPStreamWriter<Driver: ExchangeDriver>: HTTPBodyWriter {
    let driver: NIOLoopBound<Driver>
    let eventLoop: any EventLoop
    let exchangeID: UInt64

    func write(_ buffer: ByteBuffer) async throws {
        try await eventLoop.flatSubmit { driver.value.writeStreamChunk(buffer, exchangeID: exchangeID) }.get()
    }

    func write(contentsOf buffers: [ByteBuffer]) async throws {
        try await eventLoop.flatSubmit { driver.value.writeStreamChunks(buffers, exchangeID: exchangeID) }.get()
    }

    func startWrite(contentsOf buffers: [ByteBuffer], completion: @escaping @Sendable ((any Error)?) -> Void) {
        // Always through the loop's queue, also from the loop itself: a completion that starts the
        // next write then returns first instead of nesting one write in the other.
        eventLoop.execute {
            driver.value.writeStreamChunks(buffers, exchangeID: exchangeID).whenComplete { result in
                switch result {
                case .success: completion(nil)
                case .failure(let error): completion(error)
                }
            }
        }
    }
}
