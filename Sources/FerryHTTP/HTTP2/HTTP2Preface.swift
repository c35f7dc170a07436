import NIOCore

/// The client connection preface (RFC 9113 §3.4), which starts every HTTP/2 connection; on a
/// cleartext port it tells prior-knowledge HTTP/2 from HTTP/1.1.
enum HTTP2Preface {
    static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Match: Equatable {
        case complete
        /// The bytes so far are the start of the preface; wait for more.
        case partial
        case no
    }

    static func match(_ buffer: ByteBuffer) -> Match {
        let count = min(buffer.readableBytes, bytes.count)
        guard count > 0 else { return .partial }
        let matches = buffer.withUnsafeReadableBytes { received in
            received.prefix(count).elementsEqual(bytes.prefix(count))
        }
        guard matches else { return .no }
        return count == bytes.count ? .complete : .partial
    }
}
