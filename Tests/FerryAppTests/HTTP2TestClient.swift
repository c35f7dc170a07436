import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A frame-level HTTP/2 client for live tests of what only frames show (tunnels on streams,
/// RST_STREAM codes): it sends exactly the frames a test builds and reads the server's frames one
/// at a time, acknowledging the server's SETTINGS as a real client does.
final class HTTP2TestClient: Sendable {
    struct Frame: Sendable, CustomStringConvertible {
        var type: UInt8
        var flags: UInt8
        var streamID: UInt32
        var payload: [UInt8]

        var endStream: Bool { (type == HTTP2TestClient.data || type == HTTP2TestClient.headers) && flags & 0x1 != 0 }

        /// The error code of a RST_STREAM or GOAWAY.
        var errorCode: UInt32? {
            switch type {
            case HTTP2TestClient.rstStream where payload.count >= 4: return Self.integer(payload[0..<4])
            case HTTP2TestClient.goAway where payload.count >= 8: return Self.integer(payload[4..<8])
            default: return nil
            }
        }

        /// The status of a response HEADERS frame, for the codes nghttp2 encodes as one indexed
        /// field of the HPACK static table (RFC 7541 Appendix A).
        var status: Int? {
            guard type == HTTP2TestClient.headers, let first = payload.first else { return nil }
            return [0x88: 200, 0x89: 204, 0x8A: 206, 0x8B: 304, 0x8C: 400, 0x8D: 404, 0x8E: 500][Int(first)]
        }

        /// SETTINGS entries by identifier.
        var settings: [UInt16: UInt32] {
            var result: [UInt16: UInt32] = [:]
            var index = 0
            while index + 6 <= payload.count {
                let identifier = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
                result[identifier] = Self.integer(payload[index + 2..<index + 6])
                index += 6
            }
            return result
        }

        var description: String {
            "frame(type: \(type), flags: \(flags), stream: \(streamID), \(payload.count) bytes, code: \(errorCode.map(String.init) ?? "-"))"
        }

        private static func integer(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            bytes.reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    static let data: UInt8 = 0x0
    static let headers: UInt8 = 0x1
    static let rstStream: UInt8 = 0x3
    static let settings: UInt8 = 0x4
    static let goAway: UInt8 = 0x7
    static let windowUpdate: UInt8 = 0x8

    private let raw: RawHTTPClient
    private let received = Mutex<[UInt8]>([])

    init(port: Int) throws {
        raw = try RawHTTPClient(port: port)
    }

    /// The preface and an empty SETTINGS, and with `tunnelPath` an extended CONNECT on stream 1
    /// in the same write (so a short idle timeout cannot fall between them); returns the
    /// server's first SETTINGS (acknowledged).
    func handshake(tunnelPath: String? = nil) async -> Frame? {
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + Self.frame(type: Self.settings, stream: 0)
        if let tunnelPath {
            bytes += Self.frame(type: Self.headers, flags: 0x4, stream: 1, payload: Self.connect(tunnelPath))
        }
        await raw.send(bytes)
        return await waitFor { $0.type == Self.settings && $0.flags & 0x1 == 0 }.match
    }

    func send(type: UInt8, flags: UInt8 = 0, stream: UInt32, payload: [UInt8] = []) async {
        await raw.send(Self.frame(type: type, flags: flags, stream: stream, payload: payload))
    }

    /// DATA on a stream; `end` sets END_STREAM.
    func send(_ text: String, stream: UInt32, end: Bool = false) async {
        await send(type: Self.data, flags: end ? 0x1 : 0, stream: stream, payload: Array(text.utf8))
    }

    /// `bytes` as DATA frames of at most 16 KiB (the default SETTINGS_MAX_FRAME_SIZE), in one write.
    func send(bytes: [UInt8], stream: UInt32) async {
        var frames: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + 16_384, bytes.count)
            frames += Self.frame(type: Self.data, stream: stream, payload: Array(bytes[start..<end]))
            start = end
        }
        await raw.send(frames)
    }

    /// An RFC 8441 extended CONNECT, its stream left open for the tunnel's bytes.
    func openTunnel(stream: UInt32, path: String, protocolName: String = "websocket") async {
        await send(type: Self.headers, flags: 0x4, stream: stream, payload: Self.connect(path, protocolName))
    }

    /// The header block of an extended CONNECT.
    static func connect(_ path: String, _ protocolName: String = "websocket") -> [UInt8] {
        HTTP2FrameScan.literalHeaders([
            (":method", "CONNECT"), (":protocol", protocolName), (":scheme", "http"), (":authority", "h"),
            (":path", path),
        ])
    }

    /// A complete GET.
    func get(stream: UInt32, path: String) async {
        let block = HTTP2FrameScan.literalHeaders([
            (":method", "GET"), (":scheme", "http"), (":authority", "h"), (":path", path),
        ])
        await send(type: Self.headers, flags: 0x5, stream: stream, payload: block)  // END_STREAM|END_HEADERS
    }

    /// Reads frames until one matches (returned with every frame read, itself included), the
    /// connection closes or `timeout` passes (`match` is then nil).
    func waitFor(
        timeout: Duration = .seconds(10), _ predicate: @escaping @Sendable (Frame) -> Bool
    ) async -> (match: Frame?, seen: [Frame]) {
        let deadline = ContinuousClock.now + timeout
        return await withCheckedContinuation { continuation in
            Thread {
                var seen: [Frame] = []
                while let frame = self.nextFrameBlocking(deadline: deadline) {
                    seen.append(frame)
                    if predicate(frame) {
                        continuation.resume(returning: (frame, seen))
                        return
                    }
                }
                continuation.resume(returning: (nil, seen))
            }.start()
        }
    }

    /// Bytes of DATA frames on `stream` until `count` have arrived (or the timeout).
    func readData(stream: UInt32, count: Int, timeout: Duration = .seconds(10)) async -> (text: String, seen: [Frame]) {
        let (bytes, seen) = await readBytes(stream: stream, count: count, timeout: timeout)
        return (String(decoding: bytes, as: UTF8.self), seen)
    }

    func readBytes(stream: UInt32, count: Int, timeout: Duration = .seconds(10)) async -> (
        bytes: [UInt8], seen: [Frame]
    ) {
        let collected = Mutex<[UInt8]>([])
        let (_, seen) = await waitFor(timeout: timeout) { frame in
            guard frame.type == Self.data, frame.streamID == stream else { return false }
            return collected.withLock {
                $0 += frame.payload
                return $0.count >= count
            }
        }
        return (collected.withLock { $0 }, seen)
    }

    private func nextFrameBlocking(deadline: ContinuousClock.Instant) -> Frame? {
        while true {
            if let frame = received.withLock({ Self.takeFrame(from: &$0) }) {
                if frame.type == Self.settings && frame.flags & 0x1 == 0 {
                    sendBlocking(Self.frame(type: Self.settings, flags: 0x1, stream: 0))
                }
                if frame.type == Self.data && !frame.payload.isEmpty {
                    // Credit given back at once, as a client that reads everything does.
                    let increment = Self.integerBytes(UInt32(frame.payload.count))
                    sendBlocking(
                        Self.frame(type: Self.windowUpdate, stream: frame.streamID, payload: increment)
                            + Self.frame(type: Self.windowUpdate, stream: 0, payload: increment))
                }
                return frame
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            var descriptor = pollfd(fd: raw.fd, events: Int16(POLLIN), revents: 0)
            let milliseconds =
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            guard poll(&descriptor, 1, Int32(max(1, min(milliseconds, 1000)))) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(raw.fd, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            received.withLock { $0 += chunk[0..<count] }
        }
    }

    private func sendBlocking(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(raw.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func takeFrame(from buffer: inout [UInt8]) -> Frame? {
        guard buffer.count >= 9 else { return nil }
        let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
        guard buffer.count >= 9 + length else { return nil }
        let stream =
            UInt32(buffer[5] & 0x7F) << 24 | UInt32(buffer[6]) << 16 | UInt32(buffer[7]) << 8 | UInt32(buffer[8])
        let frame = Frame(type: buffer[3], flags: buffer[4], streamID: stream, payload: Array(buffer[9..<9 + length]))
        buffer.removeFirst(9 + length)
        return frame
    }

    static func integerBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func frame(type: UInt8, flags: UInt8 = 0, stream: UInt32, payload: [UInt8] = []) -> [UInt8] {
        HTTP2FrameScan.frame(type: type, flags: flags, stream: stream, payload: payload)
    }
}
