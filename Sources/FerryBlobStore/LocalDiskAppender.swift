import NIOCore
import NIOPosix

/// Appends to one upload file. Small pieces of a request body are gathered into writes of
/// ``batchSize`` bytes, so a 4 GiB upload makes a few thousand trips to the I/O pool, not a
/// million.
actor LocalDiskAppender: BlobAppender {
    static let batchSize = 1 << 20
    static let writebackWindow: Int64 = 8 << 20

    private let file: POSIXFile
    private let pool: NIOThreadPool
    /// Bytes in the file.
    private var written: Int64
    private var pending = ByteBuffer()
    /// Where the bytes not yet handed to writeback begin.
    private var writebackStart: Int64
    private var closed = false

    init(file: POSIXFile, length: Int64, pool: NIOThreadPool) {
        self.file = file
        self.written = length
        self.writebackStart = length
        self.pool = pool
    }

    var length: Int64 { written + Int64(pending.readableBytes) }

    func append(_ bytes: ByteBuffer) async throws {
        var bytes = bytes
        if pending.readableBytes == 0 && bytes.readableBytes >= Self.batchSize {
            try await write(bytes)
            return
        }
        pending.writeBuffer(&bytes)
        if pending.readableBytes >= Self.batchSize { try await flush() }
    }

    func truncate(to length: Int64) async throws {
        pending.clear()
        let file = self.file
        try await pool.runIfActive { try file.truncate(to: length) }
        written = length
        writebackStart = min(writebackStart, length)
    }

    func sync() async throws {
        try await flush()
        let file = self.file
        try await pool.runIfActive { try file.sync() }
    }

    func close() async throws {
        guard !closed else { return }
        closed = true
        let file = self.file
        try await pool.runIfActive { try file.close() }
    }

    private func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        let bytes = pending
        pending = ByteBuffer()
        try await write(bytes)
    }

    /// Writes at the end; on a full disk what did fit stays written and counted. Every
    /// ``writebackWindow`` bytes the kernel is asked to start writing the window out, so the disk
    /// works while the upload goes on and the fsync that acknowledges a chunk finds little left
    /// to do (and the blob does not crowd the page cache).
    private func write(_ bytes: ByteBuffer) async throws {
        let (file, offset) = (self.file, written)
        let end = offset + Int64(bytes.readableBytes)
        let window: (start: Int64, count: Int64)? =
            end - writebackStart >= Self.writebackWindow ? (writebackStart, end - writebackStart) : nil
        do {
            written += Int64(
                try await pool.runIfActive {
                    let count = try file.write(bytes, at: offset)
                    if let window { file.startWriteback(from: window.start, count: window.count) }
                    return count
                })
            if window != nil { writebackStart = end }
        } catch let error as POSIXFile.PartialWrite {
            written += Int64(error.count)
            throw error.underlying
        }
    }
}
