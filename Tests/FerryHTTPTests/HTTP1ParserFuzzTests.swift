import NIOCore
import Testing

@testable import FerryHTTP

/// Seeded random mutation of valid requests: the parser must never crash or loop, must consume
/// input or ask for more, and must give the same answer however the bytes are split.
@Suite("Parser fuzzing")
struct HTTP1ParserFuzzTests {
    /// SplitMix64: deterministic, so a failure reproduces from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [String] = [
        "GET /a?b=c HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
        "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=\"y\"\r\nhello\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    ]
    static let interesting: [UInt8] = Array("\r\n \t:;\"\\0-9aAfF,%\u{0}\u{7f}".utf8) + [0x80, 0xFF]

    static func mutate(_ input: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: bytes[position] = interesting.randomElement(using: &generator)!
            case 1: bytes.remove(at: position)
            case 2: bytes.insert(interesting.randomElement(using: &generator)!, at: position)
            default: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + 8)], at: position)
            }
        }
        return bytes
    }

    /// Parses everything, returning a canonical transcript (or the error's status).
    static func transcript(_ bytes: [UInt8], pieceSize: Int) -> String {
        var parser = HTTP1RequestParser(
            limits: .init(maxRequestLineLength: 256, maxHeaderBytes: 512, maxHeaderCount: 8))
        var buffer = ByteBuffer()
        var out = ""
        var body = ""
        var offset = 0
        var steps = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + pieceSize)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do {
                while let event = try parser.next(from: &buffer) {
                    steps += 1
                    precondition(steps < 10_000, "parser loops")
                    switch event {
                    case .head(let head):
                        out += "H[\(head.request.method.rawValue) \(head.request.path ?? "") \(head.framing)]"
                    case .body(let chunk): body += String(buffer: chunk)
                    case .end:
                        out += "B[\(body)]E"
                        body = ""
                    }
                }
            } catch {
                return out + "X\(error.status.code)"
            }
        }
        return out + (body.isEmpty ? "" : "B[\(body)]…")
    }

    @Test("random mutations never crash and parse the same whole or byte by byte", arguments: 0..<8)
    func mutations(round: Int) {
        var generator = SeededGenerator(state: UInt64(round) &* 7919)
        for _ in 0..<250 {
            let seed = Array(Self.seeds.randomElement(using: &generator)!.utf8)
            let input = Self.mutate(seed, using: &generator)
            let whole = Self.transcript(input, pieceSize: .max)
            let split = Self.transcript(input, pieceSize: Int.random(in: 1...5, using: &generator))
            #expect(whole == split, "input: \(input)")
        }
    }
}
