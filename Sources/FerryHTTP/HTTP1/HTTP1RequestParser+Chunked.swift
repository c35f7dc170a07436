import HTTPTypes
import NIOCore

extension HTTP1RequestParser {
    /// The chunked transfer coding (RFC 9112 §7.1): size lines, data, CRLFs, last chunk, trailers.
    mutating func parseChunked(from buffer: inout ByteBuffer) throws(HTTP1ParseError) -> Event? {
        while true {
            switch state {
            case .chunkSize:
                guard let line = try readChunkLine(from: &buffer) else { return nil }
                let size = try Self.parseChunkSizeLine(line)
                state = size == 0 ? .trailers(scanned: 0, lines: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let count = Int(min(Int64(buffer.readableBytes), remaining))
                let slice = buffer.readSlice(length: count)!
                state = remaining == Int64(count) ? .chunkDataEnd : .chunkData(remaining: remaining - Int64(count))
                return .body(slice)
            case .chunkDataEnd:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else {
                    throw .badRequest("chunk data not followed by CRLF")
                }
                state = .chunkSize
            case .trailers(let scanned, let lines):
                let scan = buffer.withUnsafeReadableBytes { bytes in
                    Self.scanHead(bytes, from: scanned, lines: lines + 1, limits: limits)
                }
                switch scan {
                case .failure(let error):
                    throw HTTP1ParseError(
                        error.status == .uriTooLong ? .badRequest : error.status, "trailer section: \(error.reason)")
                case .incomplete(let newScanned, let newLines):
                    state = .trailers(scanned: newScanned, lines: newLines - 1)
                    return nil
                case .complete(let length):
                    // Trailer fields are validated like header fields, then dropped: nothing in Ferry
                    // reads them, and merging them into the head would let a trailer override framing.
                    try buffer.withUnsafeReadableBytes { bytes throws(HTTP1ParseError) in
                        var cursor = 0
                        while true {
                            let end = HTTP1HeadParser.lineEnd(bytes, from: cursor)
                            if end == cursor { break }
                            _ = try HTTP1HeadParser.parseFieldLine(bytes, from: cursor, to: end, target: nil)
                            cursor = end + 2
                        }
                    }
                    buffer.moveReaderIndex(forwardBy: length)
                    state = .head(scanned: 0, lines: 0)
                    return .end
                }
            default:
                preconditionFailure("parseChunked called outside a chunked body")
            }
        }
    }

    /// Reads one CRLF-terminated line, refusing bare LF and overlong lines.
    private func readChunkLine(from buffer: inout ByteBuffer) throws(HTTP1ParseError) -> ByteBuffer? {
        let found = buffer.withUnsafeReadableBytes { bytes -> Int? in
            Self.firstLineFeed(bytes, from: 0)
        }
        guard let lf = found else {
            if buffer.readableBytes > limits.maxChunkLineLength {
                throw .badRequest("chunk size line longer than \(limits.maxChunkLineLength) bytes")
            }
            return nil
        }
        guard lf > 0, buffer.getInteger(at: buffer.readerIndex + lf - 1, as: UInt8.self) == 0x0D else {
            throw .badRequest("bare LF in chunked body")
        }
        guard lf - 1 <= limits.maxChunkLineLength else {
            throw .badRequest("chunk size line longer than \(limits.maxChunkLineLength) bytes")
        }
        let line = buffer.readSlice(length: lf - 1)!
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// `chunk-size [ chunk-ext ]` where `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`.
    static func parseChunkSizeLine(_ line: ByteBuffer) throws(HTTP1ParseError) -> Int64 {
        let bytes = Array(line.readableBytesView)
        var index = 0
        var size: Int64 = 0
        while index < bytes.count, let digit = FieldSyntax.hexValue(bytes[index]) {
            guard index < 15 else { throw .badRequest("chunk size too large") }
            size = size << 4 | Int64(digit)
            index += 1
        }
        guard index > 0 else { throw .badRequest("invalid chunk size") }
        try validateChunkExtensions(bytes[index...])
        return size
    }

    static func validateChunkExtensions(_ bytes: ArraySlice<UInt8>) throws(HTTP1ParseError) {
        var index = bytes.startIndex
        func skipWhitespace() {
            while index < bytes.endIndex, HTTP1HeadParser.isWhitespace(bytes[index]) { index += 1 }
        }
        func readToken() -> Bool {
            let start = index
            while index < bytes.endIndex, HTTP1HeadParser.isTokenChar(bytes[index]) { index += 1 }
            return index > start
        }
        while true {
            skipWhitespace()
            if index == bytes.endIndex { return }
            guard bytes[index] == UInt8(ascii: ";") else { throw .badRequest("invalid chunk extension") }
            index += 1
            skipWhitespace()
            guard readToken() else { throw .badRequest("invalid chunk extension name") }
            skipWhitespace()
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.endIndex {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        guard index < bytes.endIndex, isQuotedPairChar(bytes[index]) else {
                            throw .badRequest("invalid chunk extension value")
                        }
                        index += 1
                    } else if !isQuotedTextChar(byte) {
                        throw .badRequest("invalid chunk extension value")
                    }
                }
                guard closed else { throw .badRequest("unterminated chunk extension value") }
            } else {
                guard readToken() else { throw .badRequest("invalid chunk extension value") }
            }
        }
    }

    /// qdtext: HTAB, SP, %x21, %x23-5B, %x5D-7E, obs-text.
    @inline(__always) static func isQuotedTextChar(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x20 || byte == 0x21 || (byte >= 0x23 && byte <= 0x5B) || (byte >= 0x5D && byte != 0x7F)
    }

    @inline(__always) static func isQuotedPairChar(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
