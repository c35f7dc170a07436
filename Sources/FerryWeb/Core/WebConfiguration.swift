/// Settings of the web layer, each with a safe default.
public struct WebConfiguration: Sendable {
    /// Dynamic text bodies at least this large are compressed when the client accepts it.
    public var compressionThreshold: Int
    /// Dynamic bodies larger than this are sent as they are (compressing them would hold the event
    /// loop or the task too long).
    public var compressionMaxSize: Int
    /// Brotli quality for dynamic bodies (0–11).
    public var dynamicBrotliQuality: Int32

    public init(
        compressionThreshold: Int = 1024, compressionMaxSize: Int = 4 * 1024 * 1024, dynamicBrotliQuality: Int32 = 4
    ) {
        self.compressionThreshold = compressionThreshold
        self.compressionMaxSize = compressionMaxSize
        self.dynamicBrotliQuality = dynamicBrotliQuality
    }
}
