import Foundation

/// The server's limits for drops (`GET /drops/limits`), so a client can refuse what would be
/// refused before it uploads anything: the drop's size, file count and expiry are otherwise only
/// checked when the drop is made, after its uploads.
struct DropLimitsDocument: Encodable, Sendable {
    struct Range: Encodable, Sendable {
        var min: Int
        var max: Int
    }

    struct Lifetime: Encodable, Sendable {
        var min: Int
        var `default`: Int
        var max: Int
    }

    /// Largest upload, and largest sum of a drop's ciphertext (bytes).
    var maxDropSize: Int64
    var maxDropFiles: Int
    /// Largest sealed metadata (bytes, before base64url).
    var maxMetadataSize: Int
    /// `expiresIn`, seconds.
    var expiresIn: Lifetime
    /// `maxDownloads`.
    var maxDownloads: Range

    init(_ configuration: DropsConfiguration) {
        maxDropSize = configuration.maxDropSize
        maxDropFiles = configuration.maxDropFiles
        maxMetadataSize = configuration.maxMetadataSize
        expiresIn = Lifetime(
            min: Int(DropsConfiguration.minimumDropLifetime), default: Int(configuration.defaultDropLifetime),
            max: Int(configuration.maxDropLifetime))
        maxDownloads = Range(
            min: DropsConfiguration.maxDownloadsRange.lowerBound, max: DropsConfiguration.maxDownloadsRange.upperBound)
    }
}
