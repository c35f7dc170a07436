import Crypto
import Foundation
import NIOCore

/// One `PATCH`'s worth of ciphertext, read into memory and hashed before it is sent, so the
/// request can carry tus's `Upload-Checksum` (a header, hence known before the body): the server
/// then keeps a chunk only if it arrived exactly as it was sealed (460 and nothing kept
/// otherwise), as it does for the browser's uploads. The HTTP client gets it in 256 KiB slices,
/// each counted by the progress bar as it is handed over.
public struct CiphertextChunk: Sendable {
    /// Ciphertext offset of the chunk's first byte.
    public let offset: Int64
    /// The chunk's bytes.
    public let bytes: ByteBuffer
    /// SHA-256 of `bytes`.
    public let sha256: [UInt8]

    /// Reads `length` bytes from where `reader` stands (which must be `offset`).
    public static func read(from reader: EncryptingFileReader, offset: Int64, length: Int64) async throws -> Self {
        let bytes = try await reader.read(exactly: Int(length))
        return Self(offset: offset, bytes: bytes, sha256: Array(SHA256.hash(data: bytes.readableBytesView)))
    }

    /// The `Upload-Checksum` value: `sha256 <base64>`.
    public var uploadChecksum: String { "sha256 " + Data(sha256).base64EncodedString() }

    /// The request body: the chunk in slices, each reported to `progress` as the client takes it.
    public func body(progress: @escaping @Sendable (Int) -> Void) -> Slices {
        Slices(handOver: HandOver(bytes), progress: progress)
    }

    /// The chunk's bytes in 256 KiB slices (views of the same storage, no copies). The sequence
    /// gives its reference to the bytes to its iterator, which lets go after the last slice: the
    /// HTTP client keeps the sequence and the iterator until it is done with the request, and
    /// the chunk's memory is to be reused as soon as the server has acknowledged it.
    public struct Slices: AsyncSequence, Sendable {
        public typealias Element = ByteBuffer
        public typealias Failure = any Error

        let handOver: HandOver
        let progress: @Sendable (Int) -> Void

        public func makeAsyncIterator() -> Iterator { Iterator(rest: handOver.take(), progress: progress) }

        /// Hands out the next slice.
        public struct Iterator: AsyncIteratorProtocol {
            var rest: ByteBuffer
            let progress: @Sendable (Int) -> Void

            public mutating func next() async throws -> ByteBuffer? {
                guard let slice = rest.readSlice(length: Swift.min(rest.readableBytes, 256 * 1024)),
                    slice.readableBytes > 0
                else { return nil }
                // The last slice lets go of the chunk's memory here, not when the HTTP client
                // drops the iterator (later, on its event loop), so the chunk can be reused.
                if rest.readableBytes == 0 { rest = ByteBuffer() }
                progress(slice.readableBytes)
                return slice
            }
        }
    }

    /// Holds the bytes until the one iterator takes them.
    final class HandOver: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: ByteBuffer?

        init(_ bytes: ByteBuffer) { self.bytes = bytes }

        /// The bytes, once (an empty buffer after that: a second iteration sends nothing, and the
        /// request's declared length makes that an error).
        func take() -> ByteBuffer {
            lock.withLock {
                defer { bytes = nil }
                return bytes ?? ByteBuffer()
            }
        }
    }
}
