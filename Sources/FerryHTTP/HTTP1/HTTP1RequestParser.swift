public import NIOCore

/// A strict, incremental HTTP/1.1 request parser (RFC 9112) over a connection's cumulation buffer.
///
/// A value type: the connection feeds it the bytes it has and acts on the events it returns, so the
/// whole grammar is testable without sockets. It consumes bytes from the buffer's reader index only
/// when it has produced an event for them; a head is parsed only once it is complete, which keeps the
/// common case (a whole head in one read) to one linear scan.
///
/// It is deliberately unforgiving where leniency enables request smuggling: bare LF or CR,
/// obs-fold, whitespace before a colon, repeated or non-decimal `Content-Length`, `Content-Length`
/// with `Transfer-Encoding`, and malformed chunk sizes or extensions are all errors.
public struct HTTP1RequestParser: Sendable {
    /// The size limits the parser enforces.
    public struct Limits: Sendable, Equatable {
        public var maxRequestLineLength: Int
        public var maxHeaderBytes: Int
        public var maxHeaderCount: Int
        public var maxChunkLineLength: Int

        public init(
            maxRequestLineLength: Int = 8 * 1024,
            maxHeaderBytes: Int = 32 * 1024,
            maxHeaderCount: Int = 100,
            maxChunkLineLength: Int = 1024
        ) {
            self.maxRequestLineLength = maxRequestLineLength
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxChunkLineLength = maxChunkLineLength
        }
    }

    /// What the parser found.
    public enum Event: Sendable, Equatable {
        case head(HTTP1RequestHead)
        /// A piece of the request body: a slice of the input, not a copy.
        case body(ByteBuffer)
        /// The request (body and trailers) is complete; the next bytes begin a new request.
        case end
    }

    enum State: Sendable {
        /// Looking for a complete head; `scanned` bytes past the reader index hold `lines` complete lines.
        case head(scanned: Int, lines: Int)
        case fixedBody(remaining: Int64)
        case chunkSize
        case chunkData(remaining: Int64)
        case chunkDataEnd
        case trailers(scanned: Int, lines: Int)
        case endOfMessage
        case failed(HTTP1ParseError)
    }

    let limits: Limits
    var state: State = .head(scanned: 0, lines: 0)

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether the parser is between requests (no partial request consumed).
    public var isIdle: Bool {
        if case .head(0, 0) = state { return true }
        return false
    }

    /// Parses the next event from `buffer`, consuming the bytes it covers.
    ///
    /// Returns `nil` when more bytes are needed. After an error the parser stays failed.
    public mutating func next(from buffer: inout ByteBuffer) throws(HTTP1ParseError) -> Event? {
        switch state {
        case .failed(let error):
            throw error
        case .head(let scanned, let lines):
            do {
                return try parseHead(from: &buffer, scanned: scanned, lines: lines)
            } catch {
                state = .failed(error)
                throw error
            }
        case .fixedBody(let remaining):
            guard buffer.readableBytes > 0 else { return nil }
            let count = Int(min(Int64(buffer.readableBytes), remaining))
            let slice = buffer.readSlice(length: count)!
            state = remaining == Int64(count) ? .endOfMessage : .fixedBody(remaining: remaining - Int64(count))
            return .body(slice)
        case .endOfMessage:
            state = .head(scanned: 0, lines: 0)
            return .end
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            do {
                return try parseChunked(from: &buffer)
            } catch {
                state = .failed(error)
                throw error
            }
        }
    }
}
