public import NIOCore

/// A request body as an async sequence of byte buffers. Reading drives the socket: the engine
/// stops reading from the client when the handler falls behind, so a 10 GiB upload to a slow
/// handler keeps memory flat. A handler that never reads it is fine too: the engine discards or
/// closes once the response is sent.
public struct HTTPRequestBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let source: RequestBodySource?
    /// Reading past this many bytes fails with ``HTTPBodyError/tooLarge(limit:)``.
    public private(set) var limit: Int = .max

    init(source: RequestBodySource?) {
        self.source = source
    }

    /// The same body, failing as soon as more than `limit` bytes arrive: a per-route limit that
    /// also holds for chunked bodies, whose size is not declared up front.
    public func limited(to limit: Int) -> HTTPRequestBody {
        var body = self
        body.limit = Swift.min(self.limit, limit)
        return body
    }

    /// A body with no bytes.
    public static let empty = HTTPRequestBody(source: nil)

    /// Whether the request was framed without a body (no need to look at `Content-Length`).
    public var isKnownEmpty: Bool { source == nil }

    /// A body that yields the given buffers; for tests and for handlers that build requests.
    public static func buffers(_ buffers: [ByteBuffer]) -> HTTPRequestBody {
        let source = RequestBodySource(highWatermark: Int.max, onDemand: nil)
        for buffer in buffers { _ = source.yield(buffer) }
        source.finish()
        return HTTPRequestBody(source: source)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: source, limit: limit)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let source: RequestBodySource?
        let limit: Int
        var received = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard let source, let chunk = try await source.next() else { return nil }
            received += chunk.readableBytes
            if received > limit { throw HTTPBodyError.tooLarge(limit: limit) }
            return chunk
        }
    }

    /// Reads the whole body into one buffer, failing with ``HTTPBodyError/tooLarge(limit:)`` as soon
    /// as more than `limit` bytes arrive (so an oversized upload is not read to its end).
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var result = ByteBuffer()
        for try await var chunk in self {
            guard result.readableBytes + chunk.readableBytes <= limit else {
                throw HTTPBodyError.tooLarge(limit: limit)
            }
            result.writeBuffer(&chunk)
        }
        return result
    }
}

/// Why reading a request body failed.
public enum HTTPBodyError: Error, Sendable, Equatable {
    /// The body is larger than the route allows.
    case tooLarge(limit: Int)
    /// The client sent nothing for longer than the body-read timeout.
    case readTimeout
    /// The connection closed before the body was complete.
    case connectionClosed
    /// Two tasks read the same body at once.
    case concurrentRead
}
