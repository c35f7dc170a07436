import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension RawHTTPClient {
    /// Reads exactly `count` bytes (fewer if the peer closes or the read timeout passes).
    func read(count: Int) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                var result: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                while result.count < count {
                    let read = recv(self.fd, &chunk, min(chunk.count, count - result.count), 0)
                    if read <= 0 { break }
                    result += chunk[0..<read]
                }
                continuation.resume(returning: String(decoding: result, as: UTF8.self))
            }.start()
        }
    }
}
