public import NIOCore

/// One whole message of a WebSocket session, reassembled from its fragments and checked.
public enum WebSocketMessage: Sendable, Equatable {
    /// A text message; its UTF-8 was validated.
    case text(String)
    /// A binary message, as received.
    case binary(WebSocketBinary)
}

/// The bytes of a binary message, opaque to the layers above the web layer (which do not see
/// NIO types): they can be measured, their first bytes read, and forwarded untouched.
public struct WebSocketBinary: Sendable, Equatable {
    public let buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    public init(bytes: some Sequence<UInt8>) {
        self.buffer = ByteBuffer(bytes: bytes)
    }

    /// Length in bytes.
    public var count: Int { buffer.readableBytes }

    /// The first 8 bytes as a big-endian integer; nil if the message is shorter. Reads in place.
    public func leadingUInt64() -> UInt64? {
        buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt64.self)
    }

    /// The first `count` bytes (fewer if the message is shorter).
    public func prefix(_ count: Int) -> [UInt8] {
        buffer.getBytes(at: buffer.readerIndex, length: min(count, buffer.readableBytes)) ?? []
    }
}
