import NIOCore
import Synchronization

/// Storage of large binary messages, kept for the next message once the last one was written.
///
/// A relay frame (256 KiB) is read into a buffer of its own, forwarded, written and freed; a
/// fresh buffer per message cost its pages anew (page faults and zeroing were a tenth of the
/// relay's server time). The socket that wrote a large binary message gives its buffer back here
/// (``give(_:)``) and the next large message is read into it (``take()``). A buffer is only a
/// hint: if anything still refers to its storage, the reader's first write copies it
/// (copy-on-write), so a buffer given back too early costs an allocation, never a wrong byte.
final class WebSocketBufferPool: Sendable {
    /// The pool the sockets of this process share.
    static let shared = WebSocketBufferPool(limit: 16)

    /// Messages from this size on are read into pooled buffers and given back.
    static let minimumBytes = 64 * 1024

    private let limit: Int
    private let buffers = Mutex<[ByteBuffer]>([])

    /// Keeps at most `limit` buffers (each as large as the largest message it held).
    init(limit: Int) {
        self.limit = limit
    }

    /// A cleared buffer of earlier large messages, or an empty one.
    func take() -> ByteBuffer {
        guard var buffer = buffers.withLock({ $0.popLast() }) else { return ByteBuffer() }
        buffer.clear()
        return buffer
    }

    /// Keeps a large message's buffer for a later message; smaller ones, and any beyond the
    /// limit, are let go.
    func give(_ buffer: ByteBuffer) {
        guard buffer.capacity >= Self.minimumBytes else { return }
        buffers.withLock { buffers in
            if buffers.count < limit { buffers.append(buffer) }
        }
    }

    /// Buffers kept now.
    var count: Int { buffers.withLock { $0.count } }
}
