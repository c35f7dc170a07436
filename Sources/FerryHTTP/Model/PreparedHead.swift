public import HTTPTypes
import NIOCore

/// A response head fixed before any request arrives (a static file's 200 or 304, a fixed JSON
/// answer), with its HTTP/1.1 wire form encoded once.
///
/// Building an `HTTPResponse` and encoding its fields walks every field, compares its name against
/// the fields the engine owns and copies name and value; for a fixed response that work is the same
/// every time, so it is done here once and the engine copies one buffer.
public struct PreparedHead: Sendable {
    /// The head, for protocols that encode fields per connection (HPACK) and for logs.
    public let head: HTTPResponse
    /// `Name: value\r\n` for every field except those the engine owns (see
    /// ``HTTP1ResponseEncoder/isEngineOwned(_:)``).
    let http1Block: ByteBuffer
    /// The fields as HTTP/2 sends them (lower-case names, no connection-specific fields).
    let http2Block: HTTP2HeaderBlock

    public init(status: HTTPResponse.Status, fields: HTTPFields) {
        self.head = HTTPResponse(status: status, headerFields: fields)
        var block = ByteBuffer()
        HTTP1ResponseEncoder.encodeFields(fields, framing: .contentLength(0), into: &block)
        self.http1Block = block
        self.http2Block = HTTP2HeaderBlock(responseFields: fields)
    }

    public var status: HTTPResponse.Status { head.status }
    public var fields: HTTPFields { head.headerFields }
}
