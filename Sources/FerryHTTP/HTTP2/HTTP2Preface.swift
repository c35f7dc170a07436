import NIOCore

/// The client connection preface (RFC 9113 §3.4), which starts every HTTP/2 connection; on a
/// cleartext port it tells prior-knowledge HTTP/2 from HTTP/1.1.
enum HTTP2Preface {
    static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// The preface's first line, `PRI * HTTP/2.0`: no HTTP/1.1 request starts with it.
    static let requestLineLength = 16

    enum Match: Equatable {
        /// The connection speaks HTTP/2: it starts with the preface's request line. The rest of
        /// the preface is checked by nghttp2, and a wrong one is answered as HTTP/2 answers it
        /// (GOAWAY with PROTOCOL_ERROR, RFC 9113 §3.4), not as an HTTP/1.1 request.
        case complete
        /// The bytes so far are the start of the preface's request line; wait for more.
        case partial
        case no
    }

    static func match(_ buffer: ByteBuffer) -> Match {
        let count = min(buffer.readableBytes, requestLineLength)
        guard count > 0 else { return .partial }
        let matches = buffer.withUnsafeReadableBytes { received in
            received.prefix(count).elementsEqual(bytes.prefix(count))
        }
        guard matches else { return .no }
        return count == requestLineLength ? .complete : .partial
    }
}
