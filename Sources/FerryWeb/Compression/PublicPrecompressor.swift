import Foundation
import NIOCore

/// Writes `.br` (quality 11) and `.gz` siblings next to each compressible file of `Public/` that is
/// worth it (smaller by at least 10%); stale siblings are rewritten, needless ones removed.
public struct PublicPrecompressor {
    public struct Report: Sendable, Equatable {
        public var written: Int
        public var skipped: Int
    }

    let root: String
    let minimumSize: Int

    public init(root: String, minimumSize: Int = 256) {
        self.root = root
        self.minimumSize = minimumSize
    }

    public func run() throws -> Report {
        let fileManager = FileManager.default
        guard let enumerator = fileManager.enumerator(atPath: root) else {
            throw StaticFileIndexError.notADirectory(root)
        }
        var report = Report(written: 0, skipped: 0)
        for case let relative as String in enumerator {
            guard !relative.hasSuffix(".gz"), !relative.hasSuffix(".br"),
                !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") })
            else { continue }
            let path = root + "/" + relative
            let ext = (relative as NSString).pathExtension
            guard MIMEType.isCompressible(MIMEType.contentType(forPathExtension: ext)),
                let data = fileManager.contents(atPath: path), data.count >= minimumSize
            else {
                report.skipped += 1
                continue
            }
            let input = ByteBuffer(bytes: data)
            let variants: [(String, ByteBuffer?)] = [
                (".br", Compressor.brotli(input, quality: 11)), (".gz", Compressor.gzip(input)),
            ]
            for (suffix, output) in variants {
                let target = path + suffix
                if let output, output.readableBytes < Int(Double(data.count) * 0.9) {
                    let temporary = target + ".tmp"
                    try Data(output.readableBytesView).write(to: URL(fileURLWithPath: temporary), options: .atomic)
                    _ = try? fileManager.removeItem(atPath: target)
                    try fileManager.moveItem(atPath: temporary, toPath: target)
                } else {
                    try? fileManager.removeItem(atPath: target)
                }
            }
            report.written += 1
        }
        return report
    }
}
