/// The server's limits for drops (`GET /api/v1/drops/limits`): what `ferry send` checks before it
/// uploads a byte, since the server checks a drop's total size, its file count and its expiry only
/// when the drop is made, after the uploads.
public struct DropLimits: Decodable, Sendable, Equatable {
    /// A lifetime range in seconds, with the server's default.
    public struct Lifetime: Decodable, Sendable, Equatable {
        public var min: Int
        public var `default`: Int
        public var max: Int

        public init(min: Int, default: Int, max: Int) {
            self.min = min
            self.default = `default`
            self.max = max
        }
    }

    /// An inclusive range of counts.
    public struct Range: Decodable, Sendable, Equatable {
        public var min: Int
        public var max: Int

        public init(min: Int, max: Int) {
            self.min = min
            self.max = max
        }
    }

    /// Largest upload, and largest sum of a drop's ciphertext (bytes).
    public var maxDropSize: Int64
    /// Most files in one drop.
    public var maxDropFiles: Int
    /// Largest sealed metadata (bytes).
    public var maxMetadataSize: Int
    /// `expiresIn`, seconds.
    public var expiresIn: Lifetime
    /// `maxDownloads`.
    public var maxDownloads: Range

    public init(maxDropSize: Int64, maxDropFiles: Int, maxMetadataSize: Int, expiresIn: Lifetime, maxDownloads: Range) {
        self.maxDropSize = maxDropSize
        self.maxDropFiles = maxDropFiles
        self.maxMetadataSize = maxMetadataSize
        self.expiresIn = expiresIn
        self.maxDownloads = maxDownloads
    }

    /// Every rule a drop of `fileCount` files of `ciphertextSize` bytes in all, with `metadataSize`
    /// bytes of sealed metadata and `options`, breaks, in words for the command line; empty when it
    /// fits. (Quotas are not here: creating the uploads checks them before a byte is sent, all but
    /// the sealed metadata's share, which is counted when the drop is made.)
    public func problems(fileCount: Int, ciphertextSize: Int64, metadataSize: Int, options: SendOptions) -> [String] {
        var problems: [String] = []
        if fileCount > maxDropFiles {
            problems.append("\(fileCount) files: this server takes at most \(maxDropFiles) in one drop")
        }
        if ciphertextSize > maxDropSize {
            let (size, limit) = Self.words(ciphertextSize, maxDropSize)
            problems.append("\(size) encrypted: this server takes drops of at most \(limit)")
        }
        if metadataSize > maxMetadataSize {
            let (size, limit) = Self.words(Int64(metadataSize), Int64(maxMetadataSize))
            problems.append(
                "the names and types of the files take \(size) sealed: this server takes at most \(limit)"
                    + " (send fewer files)")
        }
        if let seconds = options.expiresIn, !(expiresIn.min...expiresIn.max).contains(seconds) {
            problems.append(
                "--expires: this server keeps drops from \(ExpiryDuration.words(expiresIn.min)) to"
                    + " \(ExpiryDuration.words(expiresIn.max))")
        }
        if let count = options.maxDownloads, !(maxDownloads.min...maxDownloads.max).contains(count) {
            problems.append("--downloads: from \(maxDownloads.min) to \(maxDownloads.max) on this server")
        }
        return problems
    }

    /// Two sizes in words; in bytes when rounding would make them look alike ("2.0 KiB, at most
    /// 2.0 KiB").
    static func words(_ size: Int64, _ limit: Int64) -> (String, String) {
        let (rounded, roundedLimit) = (TransferProgress.bytes(size), TransferProgress.bytes(limit))
        return rounded == roundedLimit ? ("\(size) bytes", "\(limit) bytes") : (rounded, roundedLimit)
    }
}
