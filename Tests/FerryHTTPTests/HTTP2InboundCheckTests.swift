import Testing

@testable import FerryHTTP

/// The checks the glue makes because nghttp2 skips them with RFC 7540 priorities off: the frame
/// scan ahead of nghttp2, and the memory of how closed streams ended.
@Suite("HTTP/2 inbound checks")
struct HTTP2InboundCheckTests {
    static func frame(type: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, 0]
            + [UInt8(stream >> 24), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
            + payload
    }

    /// Everything the scan finds in `input` fed in pieces of `piece` bytes, with offsets made
    /// absolute.
    static func findings(_ input: [UInt8], piece: Int) -> [HTTP2InboundScan.Finding] {
        var scan = HTTP2InboundScan()
        var result: [HTTP2InboundScan.Finding] = []
        var start = 0
        while start < input.count {
            let chunk = Array(input[start..<min(start + piece, input.count)])
            chunk.withUnsafeBytes { bytes in
                var index = 0
                while let finding = scan.next(in: bytes, from: &index) {
                    switch finding {
                    case .data(let stream, let offset): result.append(.data(streamID: stream, offset: start + offset))
                    case .priorityOnStreamZero(let offset): result.append(.priorityOnStreamZero(offset: start + offset))
                    case .selfDependency(let stream, let offset):
                        result.append(.selfDependency(streamID: stream, offset: start + offset))
                    }
                }
            }
            start += piece
        }
        return result
    }

    @Test("the scan finds DATA, self-dependent PRIORITY and PRIORITY on stream 0 however the input is split")
    func scan() {
        let preface = HTTP2Preface.bytes
        var input = preface + Self.frame(type: 0x4, stream: 0, payload: [])  // SETTINGS
        let dataStart = input.count
        // A DATA payload that looks like frames: skipped, never read as headers.
        input += Self.frame(type: 0x0, stream: 1, payload: Array(repeating: 0x2, count: 20))
        input += Self.frame(type: 0x2, stream: 3, payload: [0, 0, 0, 1, 16])  // depends on 1: fine
        input += Self.frame(type: 0x2, stream: 5, payload: [0x80, 0, 0, 5, 16])  // exclusive, on itself
        let selfEnd = input.count
        input += Self.frame(type: 0x2, stream: 7, payload: [0, 0, 0, 7])  // wrong length: nghttp2's to refuse
        let zeroStart = input.count
        input += Self.frame(type: 0x2, stream: 0, payload: [0, 0, 0, 1, 16])
        let expected: [HTTP2InboundScan.Finding] = [
            .data(streamID: 1, offset: dataStart), .selfDependency(streamID: 5, offset: selfEnd),
            .priorityOnStreamZero(offset: zeroStart),
        ]
        for piece in [1, 2, 7, 9, 10, 64, input.count] {
            let found = Self.findings(input, piece: piece)
            // A header split across reads is reported in the read that completes it, at offset 0
            // of that read at the earliest.
            #expect(found.count == expected.count, "piece \(piece)")
            if piece >= input.count { #expect(found == expected) }
        }
    }

    @Test("closed streams answer by how they ended, once for a stream error, and the oldest are forgotten")
    func closedStreams() {
        var streams = HTTP2ClosedStreams()
        streams.clientEnded(1)
        streams.streamClosed(1)
        streams.clientReset(3)
        streams.streamClosed(3)
        streams.serverReset(5)
        streams.streamClosed(5)
        streams.clientEnded(7)
        streams.clientReset(7)  // END_STREAM, then RST_STREAM: what follows comes after END_STREAM
        #expect(streams.answer(toFrameOn: 1) == .connectionError)
        #expect(streams.answer(toFrameOn: 3) == .streamError)
        #expect(streams.answer(toFrameOn: 3) == .ignore)
        #expect(streams.answer(toFrameOn: 5) == .ignore)
        #expect(streams.answer(toFrameOn: 7) == .connectionError)
        #expect(streams.answer(toFrameOn: 9) == nil)
        for index in 0..<Int32(HTTP2ClosedStreams.capacity) { streams.streamClosed(101 + 2 * index) }
        #expect(!streams.contains(1) && !streams.contains(7))
        #expect(streams.contains(101) && streams.contains(101 + 2 * Int32(HTTP2ClosedStreams.capacity - 1)))
    }
}
