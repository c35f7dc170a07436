import HTTPTypes
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HTTP1RequestParser {
    /// Scans for the end of the head, enforcing line-ending rules and limits as bytes arrive, then
    /// parses the complete head in one pass.
    mutating func parseHead(
        from buffer: inout ByteBuffer,
        scanned: Int,
        lines: Int
    ) throws(HTTP1ParseError) -> Event? {
        // Skip the empty lines RFC 9112 §2.2 lets a client send before a request line.
        if lines == 0 && scanned == 0 {
            while buffer.readableBytes >= 2,
                buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) == 0x0D0A
            {
                buffer.moveReaderIndex(forwardBy: 2)
            }
        }
        let scan = buffer.withUnsafeReadableBytes { bytes in
            Self.scanHead(bytes, from: scanned, lines: lines, limits: limits)
        }
        switch scan {
        case .failure(let error):
            throw error
        case .incomplete(let newScanned, let newLines):
            state = .head(scanned: newScanned, lines: newLines)
            return nil
        case .complete(let length):
            let head = try buffer.withUnsafeReadableBytes { bytes throws(HTTP1ParseError) in
                try HTTP1HeadParser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), limits: limits)
            }
            buffer.moveReaderIndex(forwardBy: length)
            switch head.framing {
            case .none: state = .endOfMessage
            case .contentLength(0): state = .endOfMessage
            case .contentLength(let n): state = .fixedBody(remaining: n)
            case .chunked: state = .chunkSize
            }
            return .head(head)
        }
    }

    enum HeadScan {
        case incomplete(scanned: Int, lines: Int)
        case complete(length: Int)
        case failure(HTTP1ParseError)
    }

    /// Finds the empty line that ends a head. Only complete lines are counted, so a partial line is
    /// rescanned on the next read; `scanned` always points at the start of a line.
    static func scanHead(_ bytes: UnsafeRawBufferPointer, from start: Int, lines: Int, limits: Limits) -> HeadScan {
        var lineStart = start
        var lineCount = lines
        while lineStart < bytes.count {
            guard let lf = firstLineFeed(bytes, from: lineStart) else { break }
            guard lf > lineStart, bytes[lf - 1] == UInt8(ascii: "\r") else {
                return .failure(.badRequest("bare LF in request head"))
            }
            let lineLength = lf - 1 - lineStart
            if lineCount == 0 && lineLength > limits.maxRequestLineLength {
                return .failure(.init(.uriTooLong, "request line longer than \(limits.maxRequestLineLength) bytes"))
            }
            if lf + 1 > limits.maxHeaderBytes {
                return .failure(
                    .init(.requestHeaderFieldsTooLarge, "request head larger than \(limits.maxHeaderBytes) bytes"))
            }
            if lineLength == 0 {
                return .complete(length: lf + 1)
            }
            lineCount += 1
            if lineCount - 1 > limits.maxHeaderCount {
                return .failure(.init(.requestHeaderFieldsTooLarge, "more than \(limits.maxHeaderCount) header fields"))
            }
            lineStart = lf + 1
        }
        let partial = bytes.count - lineStart
        if lineCount == 0 && partial > limits.maxRequestLineLength + 1 {
            return .failure(.init(.uriTooLong, "request line longer than \(limits.maxRequestLineLength) bytes"))
        }
        if bytes.count > limits.maxHeaderBytes {
            return .failure(
                .init(.requestHeaderFieldsTooLarge, "request head larger than \(limits.maxHeaderBytes) bytes"))
        }
        return .incomplete(scanned: lineStart, lines: lineCount)
    }

    @inline(__always)
    static func firstLineFeed(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }
}
