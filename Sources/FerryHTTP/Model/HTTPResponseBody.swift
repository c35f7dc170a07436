public import NIOCore

/// A response body: either a known sequence of segments (memory and file ranges, so a multi-range
/// response can interleave part headers with file data), or a stream of unknown length.
public enum HTTPResponseBody: Sendable {
    /// Bytes known up front. Their total length becomes `Content-Length`.
    case segments([Segment])
    /// A body written by the handler as it goes; the engine frames it with chunked encoding on
    /// HTTP/1.1 unless the handler set `Content-Length`.
    case stream(@Sendable (any HTTPBodyWriter) async throws -> Void)
    /// The request's byte stream is taken over (a WebSocket): the head is `101 Switching
    /// Protocols` for an HTTP/1.1 `Upgrade` request, or a 2xx for an HTTP/2 extended CONNECT, and
    /// the closure owns both directions until it returns. See ``HTTPTunnel``.
    case tunnel(@Sendable (HTTPTunnel) async throws -> Void)

    /// One piece of a known body.
    public enum Segment: Sendable {
        case buffer(ByteBuffer)
        /// `count` bytes of the file at `path` from `offset`; sent with sendfile where possible.
        case file(path: String, offset: Int64, count: Int64)

        public var count: Int64 {
            switch self {
            case .buffer(let buffer): return Int64(buffer.readableBytes)
            case .file(_, _, let count): return count
            }
        }
    }

    public static let empty = HTTPResponseBody.segments([])

    public static func buffer(_ buffer: ByteBuffer) -> HTTPResponseBody { .segments([.buffer(buffer)]) }

    /// The exact length of a known body, or `nil` for a stream.
    public var knownLength: Int64? {
        switch self {
        case .segments(let segments): return segments.reduce(0) { $0 + $1.count }
        case .stream, .tunnel: return nil
        }
    }
}
