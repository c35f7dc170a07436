import NIOCore

/// What one pump of the session produced, in wire order: frame bytes coalesced into `buffer`, and
/// large body payloads (buffers, file regions) between them, so a pump costs a few writes and one
/// flush, and body bytes are never copied into nghttp2.
struct HTTP2Output {
    var buffer: ByteBuffer
    private(set) var pieces: [IOData] = []
    /// Streamed chunks sent in this pump: complete when the pump's last write does (writes
    /// complete in order, so that means every byte before it reached the socket).
    private(set) var completions: [EventLoopPromise<Void>] = []

    /// Copy every body piece into `buffer`: under TLS each write becomes its own records, and a
    /// 9-byte frame header written alone would be a record of its own; one large buffer is
    /// encrypted in full 16 KiB records instead.
    private let coalescesEverything: Bool

    init(allocator: ByteBufferAllocator, coalescesEverything: Bool = false) {
        buffer = allocator.buffer(capacity: 16 * 1024)
        self.coalescesEverything = coalescesEverything
    }

    /// Bytes in the pieces so far (plus `buffer.readableBytes` for the total).
    private var piecesBytes = 0

    /// Everything this pump produced so far.
    var byteCount: Int { piecesBytes + buffer.readableBytes }

    /// Appends a body piece after the frame bytes written so far.
    mutating func append(_ piece: IOData) {
        if case .byteBuffer(var bytes) = piece, coalescesEverything || bytes.readableBytes <= 4096 {
            // Small payloads are cheaper copied than written separately.
            buffer.writeBuffer(&bytes)
            return
        }
        if buffer.readableBytes > 0 {
            piecesBytes += buffer.readableBytes
            pieces.append(.byteBuffer(buffer))
            buffer = ByteBufferAllocator().buffer(capacity: 16 * 1024)
        }
        piecesBytes += piece.readableBytes
        pieces.append(piece)
    }

    mutating func complete(_ promise: EventLoopPromise<Void>) {
        completions.append(promise)
    }

    var isEmpty: Bool { buffer.readableBytes == 0 && pieces.isEmpty }

    /// The pieces to write, in order, and the promises to fulfil when the last one is written.
    mutating func drain() -> (pieces: [IOData], completions: [EventLoopPromise<Void>]) {
        var result = pieces
        if buffer.readableBytes > 0 {
            result.append(.byteBuffer(buffer))
            buffer = ByteBufferAllocator().buffer(capacity: 16 * 1024)
        }
        let done = completions
        piecesBytes = 0
        pieces.removeAll()
        completions.removeAll()
        return (result, done)
    }
}
