import NIOCore

/// Answers nghttp2's questions about response bodies while the session serialises frames.
protocol HTTP2SessionDelegate: AnyObject {
    /// How many body bytes of `streamID` can go into the next DATA frame (at most `max`).
    func http2Session(_ session: HTTP2Session, bodyBytesReadyFor streamID: Int32, max: Int) -> HTTP2BodyReadiness
    /// Appends exactly `count` body bytes of `streamID` to `output` (they were announced ready).
    func http2Session(
        _ session: HTTP2Session, writeBodyBytes count: Int, streamID: Int32, into output: inout HTTP2Output)
}
