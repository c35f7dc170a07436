/// The answer to nghttp2's data-source callback.
enum HTTP2BodyReadiness {
    /// This many bytes are ready; `isLast` when they end the body.
    case bytes(Int, isLast: Bool)
    /// The body is complete with no further bytes.
    case end
    /// Nothing ready yet: nghttp2 waits for `resumeData`.
    case deferred
    /// The stream's body cannot be produced: the stream is reset.
    case failed
}
