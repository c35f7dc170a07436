import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP client for live tests: sends exact bytes and reads what comes back, so tests can check
/// framing, pipelining and closes that an HTTP library would hide.
///
/// Socket calls block, so each runs on its own thread: blocking the test's task would starve the
/// cooperative pool the server's async handlers need (two threads on two cores).
final class RawHTTPClient: @unchecked Sendable {
    let fd: Int32

    init(port: Int, host: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) async { await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async { await offload { self.sendBlocking(bytes) } }

    func readToEnd() async -> [UInt8] { await offload { self.readToEndBlocking() } }

    func readResponses(_ count: Int, headRequest: Bool = false) async -> [RawResponse] {
        await offload { self.readResponsesBlocking(count, headRequest: headRequest) }
    }

    func isClosedByPeer() async -> Bool { await offload { self.isClosedByPeerBlocking() } }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    private func sendBlocking(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Half-closes the sending side.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the peer closes or the timeout passes.
    private func readToEndBlocking() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            result += chunk[0..<count]
        }
        return result
    }

    /// Reads until `count` complete responses have arrived (Content-Length framed), or the peer closes.
    private func readResponsesBlocking(_ count: Int, headRequest: Bool) -> [RawResponse] {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var responses: [RawResponse] = []
        while responses.count < count {
            if let (response, used) = RawResponse.parse(buffer, headRequest: headRequest) {
                responses.append(response)
                buffer.removeFirst(used)
                continue
            }
            let read = recv(fd, &chunk, chunk.count, 0)
            if read <= 0 { break }
            buffer += chunk[0..<read]
        }
        return responses
    }

    /// Whether the server has closed the connection (reads EOF within the timeout).
    private func isClosedByPeerBlocking() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}

/// A parsed HTTP/1.1 response.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Parses one response from the start of `bytes` when it is complete (Content-Length, chunked,
    /// or no body for 1xx/204/304). Returns the response and the bytes it used.
    static func parse(_ bytes: [UInt8], headRequest: Bool = false) -> (RawResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let status = Int(statusLine.split(separator: " ")[1]) ?? 0
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        let bodyStart = headEnd + 4
        if status < 200 || status == 204 || status == 304 || headRequest {
            return (response, bodyStart)
        }
        if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            guard bytes.count >= bodyStart + length else { return nil }
            response.body = Array(bytes[bodyStart..<bodyStart + length])
            return (response, bodyStart + length)
        }
        if response.header("Transfer-Encoding") == "chunked" {
            var index = bodyStart
            var body: [UInt8] = []
            while true {
                guard let lineEnd = bytes[index...].indices.first(where: { bytes[$0...].starts(with: [13, 10]) }) else {
                    return nil
                }
                let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16) ?? 0
                index = lineEnd + 2
                if size == 0 {
                    guard bytes.count >= index + 2 else { return nil }
                    response.body = body
                    return (response, index + 2)
                }
                guard bytes.count >= index + size + 2 else { return nil }
                body += bytes[index..<index + size]
                index += size + 2
            }
        }
        return (response, bodyStart)
    }
}
