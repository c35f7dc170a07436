import ArgumentParser
import FerryWeb
import Foundation
import NIOCore

/// `ferry precompress`: writes `.br` and `.gz` siblings for compressible files in `Public/`, which
/// the static file server then picks by `Accept-Encoding`.
struct Precompress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write .br and .gz siblings of compressible files in the public folder.")

    @Option(name: .customLong("public"), help: "Folder of the browser client.")
    var publicDirectory: String = "./Public"

    @Option(help: "Skip files smaller than this many bytes.")
    var minSize: Int = 256

    func run() throws {
        let report = try PublicPrecompressor(root: publicDirectory, minimumSize: minSize).run()
        print("precompressed \(report.written) file(s), \(report.skipped) skipped")
    }
}
