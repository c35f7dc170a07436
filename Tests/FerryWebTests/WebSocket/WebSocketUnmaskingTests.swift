import NIOCore
import NIOWebSocket
import Testing

@testable import FerryWeb

/// The word-wide unmasking gives NIOWebSocket's byte-by-byte result for every length around the
/// word size, from every key phase, whether it copies or works in place.
@Suite("WebSocket unmasking")
struct WebSocketUnmaskingTests {
    static let key: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]

    @Test("equals NIOWebSocket's unmasking, copied and in place, from every phase", arguments: [0, 1, 2, 3])
    func matchesNIO(phase: Int) {
        let keyWord = Self.key.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        for length in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 64, 65, 1000, 65_536] {
            let masked = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            // NIO's result for bytes that sit at `phase` in the payload: unmask a longer buffer
            // and drop the first `phase` bytes.
            var reference = ByteBuffer(bytes: [UInt8](repeating: 0, count: phase) + masked)
            reference.webSocketUnmask(WebSocketMaskingKey(Self.key)!)
            let expected = Array(reference.readableBytesView.dropFirst(phase))

            var copied = [UInt8](repeating: 0, count: length)
            masked.withUnsafeBytes { source in
                copied.withUnsafeMutableBytes { destination in
                    WebSocketUnmasking.unmask(source, into: destination.baseAddress!, key: keyWord, phase: phase)
                }
            }
            #expect(copied == expected, "length \(length)")

            var inPlace = masked
            inPlace.withUnsafeMutableBytes { bytes in
                WebSocketUnmasking.unmask(
                    UnsafeRawBufferPointer(bytes), into: bytes.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!,
                    key: keyWord, phase: phase)
            }
            #expect(inPlace == expected, "length \(length), in place")
        }
    }
}
