/// Follows the frame boundaries of what the client sends, ahead of nghttp2, for the checks
/// nghttp2 skips with RFC 7540 priorities off (SETTINGS_NO_RFC7540_PRIORITIES).
///
/// nghttp2 1.52 then skips PRIORITY frames without validating them (turning the scheme off must
/// not turn validation off), and ignores DATA on a stream it has forgotten without telling any
/// callback. The scan reads frame headers only and jumps over payloads (it buffers at most a
/// 9-byte header and a 5-byte PRIORITY payload across reads), so it costs a few comparisons per
/// frame. It reports DATA frames so that the session can look at their stream just before
/// nghttp2 reads them, in order with the frames before.
struct HTTP2InboundScan {
    enum Finding: Equatable {
        /// A DATA frame on `streamID` starts at `offset` in the scanned bytes (0 when its header
        /// began in an earlier read).
        case data(streamID: Int32, offset: Int)
        /// PRIORITY on stream 0 (RFC 9113 §6.3), starting at `offset`: a connection error
        /// PROTOCOL_ERROR.
        case priorityOnStreamZero(offset: Int)
        /// PRIORITY making a stream depend on itself (RFC 9113 §5.3.1), ending before `offset`: a
        /// stream error PROTOCOL_ERROR.
        case selfDependency(streamID: Int32, offset: Int)
    }

    private static let frameTypeData: UInt8 = 0x0
    private static let frameTypePriority: UInt8 = 0x2
    private static let priorityLength = 5

    /// Client preface bytes still to skip (nghttp2 checks them).
    private var prefaceLeft: Int
    private var header: [UInt8] = []
    /// Payload bytes of the current frame still to skip.
    private var payloadLeft = 0
    /// The PRIORITY frame whose payload is being collected.
    private var priorityStream: Int32?
    private var priorityPayload: [UInt8] = []

    init(prefaceLength: Int = HTTP2Preface.bytes.count) {
        self.prefaceLeft = prefaceLength
        header.reserveCapacity(9)
        priorityPayload.reserveCapacity(Self.priorityLength)
    }

    /// Scans `bytes` from `index` to the next finding (returned, `index` just past what was
    /// scanned for it) or to the end (nil). Call again with the same `index` for the next one;
    /// call with the next read's bytes (from 0) once it returns nil.
    mutating func next(in bytes: UnsafeRawBufferPointer, from index: inout Int) -> Finding? {
        let count = bytes.count
        if prefaceLeft > 0 {
            let skipped = min(prefaceLeft, count - index)
            prefaceLeft -= skipped
            index += skipped
        }
        while index < count {
            if let stream = priorityStream {
                let take = min(Self.priorityLength - priorityPayload.count, count - index)
                priorityPayload.append(contentsOf: bytes[index..<index + take])
                index += take
                guard priorityPayload.count == Self.priorityLength else { return nil }
                let dependency =
                    Int32(priorityPayload[0] & 0x7F) << 24 | Int32(priorityPayload[1]) << 16
                    | Int32(priorityPayload[2]) << 8 | Int32(priorityPayload[3])
                priorityStream = nil
                priorityPayload.removeAll(keepingCapacity: true)
                if dependency == stream { return .selfDependency(streamID: stream, offset: index) }
                continue
            }
            if payloadLeft > 0 {
                let skipped = min(payloadLeft, count - index)
                payloadLeft -= skipped
                index += skipped
                continue
            }
            let frameStart = max(0, index - header.count)
            let take = min(9 - header.count, count - index)
            header.append(contentsOf: bytes[index..<index + take])
            index += take
            guard header.count == 9 else { return nil }
            let length = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
            let type = header[3]
            let stream =
                Int32(header[5] & 0x7F) << 24 | Int32(header[6]) << 16 | Int32(header[7]) << 8 | Int32(header[8])
            header.removeAll(keepingCapacity: true)
            payloadLeft = length
            if type == Self.frameTypeData {
                return .data(streamID: stream, offset: frameStart)
            }
            if type == Self.frameTypePriority {
                if stream == 0 { return .priorityOnStreamZero(offset: frameStart) }
                if length == Self.priorityLength {
                    payloadLeft = 0
                    priorityStream = stream
                }
            }
        }
        return nil
    }
}
