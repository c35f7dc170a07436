/// How the client's recent streams ended, kept after they close, so that DATA or HEADERS arriving
/// on a closed one gets the answer RFC 9113 §5.1 requires. (Entries are made as endings happen,
/// so open streams have them too; only closed ones are asked about.)
///
/// nghttp2 keeps closed streams only for the RFC 7540 priority tree; with priorities off
/// (SETTINGS_NO_RFC7540_PRIORITIES) it forgets a stream as it closes and then silently ignores
/// frames on it. This memory is bounded: the last ``capacity`` closed streams are remembered, the
/// oldest forgotten first. A frame on a forgotten stream is ignored (DATA) or taken for a stale
/// stream id (HEADERS), as before.
struct HTTP2ClosedStreams {
    /// Closed streams remembered per connection: several times the concurrent-stream limit, so
    /// a stream is remembered for far longer than a late frame can be in flight.
    static let capacity = 1024

    /// What to do with a DATA or HEADERS frame on a closed stream.
    enum Answer: Equatable {
        /// We reset the stream: frames the client sent before it saw that are expected (§5.1).
        case ignore
        /// The client reset the stream and sent more: stream error STREAM_CLOSED (§5.1).
        case streamError
        /// The client had ended the stream (END_STREAM) and sent more: connection error
        /// STREAM_CLOSED (§5.1, "closed").
        case connectionError
    }

    private struct Ending {
        var clientEnded = false
        var clientReset = false
        /// We sent RST_STREAM (or will: an answer was given).
        var serverReset = false
    }

    private var endings: [Int32: Ending] = [:]
    /// Stream ids in the order they were first remembered, a ring of `capacity` slots.
    private var ring: [Int32] = []
    private var next = 0

    init() {}

    func contains(_ streamID: Int32) -> Bool {
        endings[streamID] != nil
    }

    /// The client sent END_STREAM on the stream.
    mutating func clientEnded(_ streamID: Int32) {
        update(streamID) { $0.clientEnded = true }
    }

    /// The stream closed (remembered even if no ending was recorded).
    mutating func streamClosed(_ streamID: Int32) {
        update(streamID) { _ in }
    }

    /// The client sent RST_STREAM for the stream (it closes right after).
    mutating func clientReset(_ streamID: Int32) {
        update(streamID) { $0.clientReset = true }
    }

    /// We sent RST_STREAM for the stream (also for streams refused before they opened).
    mutating func serverReset(_ streamID: Int32) {
        update(streamID) { $0.serverReset = true }
    }

    /// The answer to a DATA or HEADERS frame on `streamID`, nil when the stream is not
    /// remembered. A stream error is answered once: later frames on that stream are ignored, as
    /// frames after our own RST_STREAM are.
    mutating func answer(toFrameOn streamID: Int32) -> Answer? {
        guard var ending = endings[streamID] else { return nil }
        if ending.clientEnded { return .connectionError }
        if ending.clientReset && !ending.serverReset {
            ending.serverReset = true
            endings[streamID] = ending
            return .streamError
        }
        return .ignore
    }

    private mutating func update(_ streamID: Int32, _ change: (inout Ending) -> Void) {
        if var ending = endings[streamID] {
            change(&ending)
            endings[streamID] = ending
            return
        }
        var ending = Ending()
        change(&ending)
        if ring.count < Self.capacity {
            ring.append(streamID)
        } else {
            endings[ring[next]] = nil
            ring[next] = streamID
            next = (next + 1) % Self.capacity
        }
        endings[streamID] = ending
    }
}
