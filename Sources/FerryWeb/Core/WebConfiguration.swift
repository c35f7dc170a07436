/// Settings of the web layer, each with a safe default.
public struct WebConfiguration: Sendable {
    /// Dynamic text bodies at least this large are compressed when the client accepts it.
    public var compressionThreshold: Int
    /// Dynamic bodies larger than this are sent as they are (compressing them would hold the event
    /// loop or the task too long).
    public var compressionMaxSize: Int
    /// Brotli quality for dynamic bodies (0–11).
    public var dynamicBrotliQuality: Int32
    /// Paths under this prefix belong to the JSON API: their errors are problem+json, not pages.
    public var apiPathPrefix: String

    public init(
        compressionThreshold: Int = 1024, compressionMaxSize: Int = 4 * 1024 * 1024, dynamicBrotliQuality: Int32 = 4,
        apiPathPrefix: String = "/api"
    ) {
        self.apiPathPrefix = apiPathPrefix
        self.compressionThreshold = compressionThreshold
        self.compressionMaxSize = compressionMaxSize
        self.dynamicBrotliQuality = dynamicBrotliQuality
    }
}
