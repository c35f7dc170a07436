/// The client reset a stream (RST_STREAM) while its handler was still reading or writing.
public struct HTTP2StreamResetError: Error, Sendable {
    public var code: UInt32
}
