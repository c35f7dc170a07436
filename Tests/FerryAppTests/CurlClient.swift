import Foundation

/// curl as an HTTP/2 client for live tests (`--http2-prior-knowledge` on cleartext). It runs on
/// its own thread, like the raw socket client, so waiting for it never blocks the cooperative
/// pool the server's handlers need.
enum CurlClient {
    struct Result {
        var status: Int32
        var output: Data
        var errors: String
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs curl with `arguments`. `feed`, when given, writes the request body to curl's stdin
    /// (`-T -`) in blocks, and `sample` is called between blocks (memory checks).
    static func run(
        _ arguments: [String], feed: (bytes: Int, block: Int)? = nil, sample: (@Sendable () -> Void)? = nil
    ) async -> Result {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: runBlocking(arguments, feed: feed, sample: sample))
            }.start()
        }
    }

    private static func runBlocking(
        _ arguments: [String], feed: (bytes: Int, block: Int)?, sample: (@Sendable () -> Void)?
    ) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", "300"] + arguments
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = feed == nil ? FileHandle.nullDevice : input
        do {
            try process.run()
        } catch {
            return Result(status: -1, output: Data(), errors: "\(error)")
        }
        // Drain both pipes on their own threads so curl never blocks on a full pipe.
        let collected = DataBox()
        let collectedErrors = DataBox()
        let done = DispatchGroup()
        done.enter()
        Thread {
            collected.data = output.fileHandleForReading.readDataToEndOfFile()
            done.leave()
        }.start()
        done.enter()
        Thread {
            collectedErrors.data = errors.fileHandleForReading.readDataToEndOfFile()
            done.leave()
        }.start()
        if let feed {
            let block = Data(repeating: 0x61, count: feed.block)
            var sent = 0
            while sent < feed.bytes {
                let size = min(feed.block, feed.bytes - sent)
                input.fileHandleForWriting.write(size == block.count ? block : block.prefix(size))
                sent += size
                if (sent / feed.block) % 32 == 0 { sample?() }
            }
            try? input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        done.wait()
        return Result(
            status: process.terminationStatus, output: collected.data,
            errors: String(decoding: collectedErrors.data, as: UTF8.self))
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
    }
}
