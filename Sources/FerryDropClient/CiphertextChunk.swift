import NIOCore

/// The body of one `PATCH`: `length` bytes read from an ``EncryptingFileReader`` in pieces of
/// 256 KiB, each counted by `progress` as it is handed to the HTTP client.
public struct CiphertextChunk: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    let reader: EncryptingFileReader
    let length: Int64
    let progress: @Sendable (Int) -> Void

    public init(reader: EncryptingFileReader, length: Int64, progress: @escaping @Sendable (Int) -> Void) {
        self.reader = reader
        self.length = length
        self.progress = progress
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(chunk: self, remaining: length)
    }

    /// Reads the chunk's pieces in order.
    public struct Iterator: AsyncIteratorProtocol {
        let chunk: CiphertextChunk
        var remaining: Int64

        public mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            guard let piece = try await chunk.reader.read(upTo: Int(Swift.min(remaining, 256 * 1024))) else {
                throw DropClientError.io("the file ended early")
            }
            remaining -= Int64(piece.readableBytes)
            chunk.progress(piece.readableBytes)
            return piece
        }
    }
}
