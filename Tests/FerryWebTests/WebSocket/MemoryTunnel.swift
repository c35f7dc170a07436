import NIOCore
import Synchronization

@testable import FerryHTTP
@testable import FerryWeb

/// A tunnel in memory: the test writes the client's bytes in and reads the server's bytes out.
/// The writer can be stalled, as a client that stops reading, or its writes held until the test
/// releases them, as a socket that takes its time.
final class MemoryTunnel: Sendable {
    let source = RequestBodySource(highWatermark: 1 << 20, onDemand: nil)
    private let output = Mutex<[UInt8]>([])
    private let abortedFlag = Mutex(false)
    private let writesStarted = Mutex(0)
    private let holding: Mutex<Bool>
    let stalled: Bool

    init(stalled: Bool = false, holdingWrites: Bool = false) {
        self.stalled = stalled
        self.holding = Mutex(holdingWrites)
    }

    /// Tunnel writes begun so far.
    var writes: Int { writesStarted.withLock { $0 } }

    /// Lets held writes complete.
    func releaseWrites() {
        holding.withLock { $0 = false }
    }

    var tunnel: HTTPTunnel {
        HTTPTunnel(inbound: HTTPRequestBody(source: source), outbound: Writer(tunnel: self)) { [self] in
            abortedFlag.withLock { $0 = true }
            source.fail(HTTPBodyError.connectionClosed)
        }
    }

    struct Writer: HTTPBodyWriter {
        let tunnel: MemoryTunnel
        func write(_ buffer: ByteBuffer) async throws {
            tunnel.writesStarted.withLock { $0 += 1 }
            while tunnel.holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            if tunnel.stalled {
                while !tunnel.aborted { try await Task.sleep(for: .milliseconds(5)) }
                throw HTTPBodyError.connectionClosed
            }
            tunnel.output.withLock { $0 += buffer.readableBytesView }
        }
    }

    var aborted: Bool { abortedFlag.withLock { $0 } }

    func send(_ bytes: [UInt8]) {
        _ = source.yield(ByteBuffer(bytes: bytes))
    }

    func endInput() {
        source.finish()
    }

    /// The server's frames so far.
    var frames: [ServerFrame] { ServerFrame.parse(output.withLock { $0 }) }
}

/// A frame as the server sent it (unmasked).
struct ServerFrame: Equatable {
    var fin: Bool
    var opcode: UInt8
    var payload: [UInt8]
    var masked: Bool

    var closeCode: UInt16? {
        guard opcode == 0x8, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }

    static func parse(_ bytes: [UInt8]) -> [ServerFrame] {
        var frames: [ServerFrame] = []
        var index = 0
        while index + 2 <= bytes.count {
            let fin = bytes[index] & 0x80 != 0
            let opcode = bytes[index] & 0x0F
            let masked = bytes[index + 1] & 0x80 != 0
            var length = Int(bytes[index + 1] & 0x7F)
            var offset = index + 2
            if length == 126 {
                guard offset + 2 <= bytes.count else { break }
                length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                offset += 2
            } else if length == 127 {
                guard offset + 8 <= bytes.count else { break }
                length = bytes[offset..<offset + 8].reduce(0) { $0 << 8 | Int($1) }
                offset += 8
            }
            guard offset + length <= bytes.count else { break }
            frames.append(
                ServerFrame(fin: fin, opcode: opcode, payload: Array(bytes[offset..<offset + length]), masked: masked))
            index = offset + length
        }
        return frames
    }
}

/// Client frames, built by hand so tests can break every rule.
enum ClientFrame {
    static func make(
        opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0
    ) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes.append(maskBit | 126)
            bytes += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        guard masked else { return bytes + payload }
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        bytes += key
        bytes += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return bytes
    }

    static func text(_ text: String, fin: Bool = true) -> [UInt8] {
        make(opcode: 0x1, payload: Array(text.utf8), fin: fin)
    }
    static func close(_ code: UInt16, reason: [UInt8] = []) -> [UInt8] {
        make(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + reason)
    }
}

/// Echoes every message and records what happened.
final class EchoHandler: WebSocketHandler {
    let received = Mutex<[WebSocketMessage]>([])
    let closedCode = Mutex<WebSocketCloseCode??>(nil)
    let socket = Mutex<WebSocket?>(nil)

    func opened(_ socket: WebSocket) async {
        self.socket.withLock { $0 = socket }
    }

    func received(_ message: WebSocketMessage, on socket: WebSocket) async {
        received.withLock { $0.append(message) }
        switch message {
        case .text(let text): socket.send(text)
        case .binary(let binary): socket.send(binary)
        }
    }

    func closed(_ socket: WebSocket, code: WebSocketCloseCode?) async {
        closedCode.withLock { $0 = .some(code) }
    }

    var hasClosed: Bool { closedCode.withLock { $0 != nil } }
}

/// Waits until `condition` holds, failing after a generous bound (behaviour, not timing).
func eventually(_ condition: () -> Bool, within: Duration = .seconds(30)) async -> Bool {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
