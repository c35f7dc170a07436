import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads slices of files for response bodies that cannot use `sendfile` (HTTP/2, TLS), on NIO's
/// thread pool for blocking I/O: never on an event loop, where a slow disk would stall every
/// connection of the loop, nor on the cooperative pool, which has one thread per core.
public struct FileSliceReader: Sendable {
    /// The reader on NIO's shared blocking-I/O pool.
    public static let shared = FileSliceReader(pool: .singleton)

    let pool: NIOThreadPool

    public init(pool: NIOThreadPool) {
        self.pool = pool
    }

    /// Exactly `count` bytes of `path` from `offset`.
    public func read(path: String, offset: Int64, count: Int) async throws -> ByteBuffer {
        try await pool.runIfActive { try Self.readBlocking(path: path, offset: offset, count: count) }
    }

    /// The same, completing on `eventLoop` (for handlers that live on it).
    public func read(path: String, offset: Int64, count: Int, on eventLoop: any EventLoop) -> EventLoopFuture<
        ByteBuffer
    > {
        pool.runIfActive(eventLoop: eventLoop) { try Self.readBlocking(path: path, offset: offset, count: count) }
    }

    /// Opens, reads and closes on the calling thread.
    static func readBlocking(path: String, offset: Int64, count: Int) throws -> ByteBuffer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileReadError.unreadable(path: path, errno: errno) }
        defer { close(descriptor) }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        while buffer.readableBytes < count {
            let position = offset + Int64(buffer.readableBytes)
            let wanted = count - buffer.readableBytes
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { pointer in
                result = pread(descriptor, pointer.baseAddress, wanted, off_t(position))
                return max(0, result)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw FileReadError.unreadable(path: path, errno: errno)
            }
            if result == 0 { throw FileReadError.shorterThanPromised(path: path) }
        }
        return buffer
    }
}
