import CNghttp2
import HTTPTypes
import NIOCore

/// One nghttp2 server session: the protocol state machine of an HTTP/2 connection.
///
/// Owned by one ``HTTP2ConnectionHandler`` and touched only on its event loop. nghttp2's callbacks
/// only record what happened (``events``) or answer a question about a response body (through
/// ``delegate``); the handler acts on the events after `receive` returns, so no callback ever
/// re-enters nghttp2.
final class HTTP2Session {
    /// The settings this server announces, and its own limits.
    struct Settings {
        var maxConcurrentStreams: UInt32
        var initialWindowSize: UInt32
        var connectionWindowSize: UInt32
        var maxHeaderListSize: UInt32
        var maxHeaderCount: Int
        /// Incoming RST_STREAM frames: a token bucket (rapid reset); GOAWAY when empty.
        var resetBurst: UInt64
        var resetRatePerSecond: UInt64
        /// CONTINUATION frames allowed after one HEADERS frame.
        var maxContinuations: Int
        /// Empty DATA frames (no payload, no END_STREAM) a connection may send before it is
        /// closed with ENHANCE_YOUR_CALM: they cost the server work and carry nothing.
        var maxEmptyDataFrames: Int
        /// SETTINGS and PING frames whose ACKs are still queued; more is a flood (GOAWAY).
        var maxOutboundAcks: Int
        /// SETTINGS frames per second a client may send before it is treated as a flood.
        var maxSettingsEntries: Int
    }

    enum Event {
        /// A complete request head (or the reason it was refused).
        case request(streamID: Int32, head: HTTP2RequestHead, endStream: Bool)
        /// Request body bytes (a slice of the received buffer, not a copy).
        case data(streamID: Int32, ByteBuffer)
        /// The client finished the request body (END_STREAM on DATA or trailers).
        case endStream(streamID: Int32)
        case streamClosed(streamID: Int32, errorCode: UInt32)
        /// The last frame of a response (END_STREAM) went out.
        case responseEnded(streamID: Int32)
        /// The client sent GOAWAY: no new streams will come.
        case goAway
        /// The client sent too many empty DATA frames.
        case emptyDataFlood
        /// HEADERS for a stream id below the newest one that was never opened (RFC 9113 §5.1.1).
        case staleStreamID
        /// DATA or HEADERS on a stream that closed: what RFC 9113 §5.1 asks for (already answered
        /// when it is `.ignore`, never recorded then).
        case closedStreamFrame(streamID: Int32, answer: HTTP2ClosedStreams.Answer)
    }

    private(set) var session: OpaquePointer?
    var events: [Event] = []
    private var headBuilders: [Int32: HTTP2RequestHeadBuilder] = [:]
    private let settings: Settings
    private var emptyDataFrames = 0
    /// The highest stream id a client opened, and the last streams that closed: HEADERS for a
    /// lower id is legal only on a stream that exists or just closed (trailers in flight).
    private var highestClientStreamID: Int32 = 0
    private var closedStreams = HTTP2ClosedStreams()
    /// The frame checks nghttp2 skips with priorities off.
    private var inboundScan = HTTP2InboundScan()
    /// Frames we write ourselves, ahead of nghttp2's output: RST_STREAM for an idle stream, which
    /// nghttp2 refuses to send.
    private var ownFrames: [UInt8] = []
    /// The buffer being fed to `mem_recv`, so DATA payloads can be sliced instead of copied.
    private var inputBuffer: ByteBuffer?
    private var inputBase: UnsafeRawPointer?
    /// Reused for every submitted header block.
    private var scratchPairs: [nghttp2_nv] = []
    /// Answers nghttp2's questions about response bodies while `send` runs.
    weak var delegate: (any HTTP2SessionDelegate)?

    init(settings: Settings) {
        self.settings = settings
    }

    /// Creates the nghttp2 session and queues the server's SETTINGS (and, with `upgrade`, turns an
    /// `Upgrade: h2c` request into stream 1).
    func start(upgradeSettings: [UInt8]? = nil, upgradeIsHead: Bool = false) throws(HTTP2SessionError) {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { throw .outOfMemory }
        defer { nghttp2_session_callbacks_del(callbacks) }
        Self.installCallbacks(callbacks)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else { throw .outOfMemory }
        defer { nghttp2_option_del(option) }
        // Request bodies are flow-controlled by the handler's reads, not by arrival.
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_max_outbound_ack(option, settings.maxOutboundAcks)
        nghttp2_option_set_max_settings(option, settings.maxSettingsEntries)
        _ = ferry_nghttp2_set_stream_reset_rate_limit(option, settings.resetBurst, settings.resetRatePerSecond)
        _ = ferry_nghttp2_set_max_continuations(option, settings.maxContinuations)

        var created: OpaquePointer?
        let userData = Unmanaged.passUnretained(self).toOpaque()
        guard nghttp2_session_server_new2(&created, callbacks, userData, option) == 0, let created else {
            throw .outOfMemory
        }
        session = created

        var entries = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: settings.maxConcurrentStreams),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialWindowSize),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
            // RFC 9113 §5.3.2: the RFC 7540 priority scheme is deprecated; say so and ignore it.
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES.rawValue), value: 1),
            // RFC 8441 §3: extended CONNECT (WebSockets over HTTP/2); nghttp2 then accepts and
            // checks the `:protocol` pseudo-header.
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL.rawValue), value: 1),
        ]
        if let upgradeSettings {
            let result = upgradeSettings.withUnsafeBufferPointer { payload in
                nghttp2_session_upgrade2(created, payload.baseAddress, payload.count, upgradeIsHead ? 1 : 0, nil)
            }
            guard result == 0 else { throw .badUpgradeSettings }
            highestClientStreamID = 1
            closedStreams.clientEnded(1)  // the upgraded request was complete
        }
        guard nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count) == 0 else {
            throw .outOfMemory
        }
        // The connection window starts at 65,535 whatever SETTINGS say (RFC 9113 §6.9.2); open it.
        if settings.connectionWindowSize > 65_535 {
            _ = nghttp2_session_set_local_window_size(
                created, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: settings.connectionWindowSize))
        }
    }

    deinit {
        if let session { nghttp2_session_del(session) }
    }

    // MARK: - Driving the session

    /// Feeds received bytes to nghttp2. Returns nghttp2's error code when the connection must end
    /// (a GOAWAY is then queued where the protocol calls for one).
    func receive(_ buffer: ByteBuffer) -> Int32 {
        guard let session else { return NGHTTP2_ERR_INVALID_STATE.rawValue }
        inputBuffer = buffer
        defer {
            inputBuffer = nil
            inputBase = nil
        }
        return buffer.withUnsafeReadableBytes { bytes -> Int32 in
            inputBase = bytes.baseAddress
            var fed = 0
            /// Feeds nghttp2 the bytes before `end`: the frames before a finding are read first,
            /// so the finding is judged in the state they leave.
            func feed(upTo end: Int) -> Int {
                guard end > fed, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                let result = nghttp2_session_mem_recv(session, base + fed, end - fed)
                fed = end
                return result
            }
            var index = 0
            while let finding = inboundScan.next(in: bytes, from: &index) {
                switch finding {
                case .data(let streamID, let offset):
                    let result = feed(upTo: offset)
                    if result < 0 { return Int32(result) }
                    switch closedStreamAnswer(toFrameOn: streamID) {
                    case .connectionError:
                        // The connection ends here: nghttp2 never reads this frame.
                        terminate(errorCode: NGHTTP2_STREAM_CLOSED.rawValue)
                        return NGHTTP2_ERR_PROTO.rawValue
                    case .streamError:
                        events.append(.closedStreamFrame(streamID: streamID, answer: .streamError))
                    case .ignore, nil:
                        break
                    }
                case .priorityOnStreamZero(let offset):
                    let result = feed(upTo: offset)
                    if result < 0 { return Int32(result) }
                    terminate(errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
                    return NGHTTP2_ERR_PROTO.rawValue
                case .selfDependency(let streamID, let offset):
                    let result = feed(upTo: offset)
                    if result < 0 { return Int32(result) }
                    refuseSelfDependency(streamID)
                }
            }
            let result = feed(upTo: bytes.count)
            return result < 0 ? Int32(result) : 0
        }
    }

    /// What a DATA or HEADERS frame on `streamID` gets when the stream has closed (nghttp2, which
    /// has forgotten it, would ignore the frame); nil when it is open, idle or forgotten.
    private func closedStreamAnswer(toFrameOn streamID: Int32) -> HTTP2ClosedStreams.Answer? {
        guard let session, streamID > 0, streamID & 1 == 1, streamID <= highestClientStreamID,
            closedStreams.contains(streamID), nghttp2_session_find_stream(session, streamID) == nil
        else { return nil }
        return closedStreams.answer(toFrameOn: streamID)
    }

    /// RFC 9113 §5.3.1: a stream error PROTOCOL_ERROR. nghttp2 sends RST_STREAM for streams it has
    /// seen; for an idle one it sends nothing, so we write that frame ourselves.
    private func refuseSelfDependency(_ streamID: Int32) {
        guard let session else { return }
        let known = nghttp2_session_find_stream(session, streamID) != nil
        if known || (streamID & 1 == 1 && streamID <= highestClientStreamID) {
            resetStream(streamID, errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
            return
        }
        let code = NGHTTP2_PROTOCOL_ERROR.rawValue
        ownFrames += [0, 0, 4, UInt8(NGHTTP2_RST_STREAM.rawValue), 0]
        ownFrames += withUnsafeBytes(of: UInt32(bitPattern: streamID).bigEndian, Array.init)
        ownFrames += withUnsafeBytes(of: code.bigEndian, Array.init)
    }

    /// Serialises what nghttp2 wants to send into `output`, stopping once `limit` bytes are
    /// there (`wantsWrite` then says whether more is waiting).
    func send(into output: inout HTTP2Output, limit: Int) -> Int32 {
        guard let session else { return 0 }
        sendLimit = limit
        if !ownFrames.isEmpty {
            output.buffer.writeBytes(ownFrames)
            ownFrames.removeAll()
        }
        while output.byteCount < limit {
            var data: UnsafePointer<UInt8>?
            let count = withOutput(&output) { nghttp2_session_mem_send(session, &data) }
            if count < 0 { return Int32(count) }
            if count == 0 { return 0 }
            if let data { output.buffer.writeBytes(UnsafeRawBufferPointer(start: data, count: count)) }
        }
        return 0
    }

    /// The output being built while `send` runs, for the send-data callback.
    private var currentOutput: UnsafeMutablePointer<HTTP2Output>?
    /// Bytes one `send` may produce. DATA frames sent without copy produce no `mem_send` output,
    /// so `mem_send` would go through every ready body in one call; the send-data callback
    /// refuses more (WOULDBLOCK, the frame stays queued) once the limit is reached.
    private var sendLimit = Int.max

    private func withOutput<Result>(_ output: inout HTTP2Output, _ body: () -> Result) -> Result {
        withUnsafeMutablePointer(to: &output) { pointer in
            currentOutput = pointer
            defer { currentOutput = nil }
            return body()
        }
    }

    var wantsRead: Bool { session.map { nghttp2_session_want_read($0) != 0 } ?? false }
    var wantsWrite: Bool { !ownFrames.isEmpty || session.map { nghttp2_session_want_write($0) != 0 } ?? false }
    var lastProcessedStreamID: Int32 { session.map { nghttp2_session_get_last_proc_stream_id($0) } ?? 0 }

    /// Queues a response head; `hasBody` installs the data provider, which asks the delegate.
    func submitResponse(streamID: Int32, fields: inout HTTP2HeaderBlock, hasBody: Bool) -> Int32 {
        guard let session else { return NGHTTP2_ERR_INVALID_STATE.rawValue }
        return fields.withNameValuePairs(scratch: &scratchPairs) { pairs in
            if hasBody {
                var provider = nghttp2_data_provider(
                    source: nghttp2_data_source(ptr: nil), read_callback: Self.readCallback)
                return nghttp2_submit_response(session, streamID, pairs.baseAddress, pairs.count, &provider)
            }
            return nghttp2_submit_response(session, streamID, pairs.baseAddress, pairs.count, nil)
        }
    }

    /// A deferred body has bytes (or its end) again.
    func resumeData(streamID: Int32) {
        guard let session else { return }
        _ = nghttp2_session_resume_data(session, streamID)
    }

    /// The handler read `count` body bytes of a stream: reopen both windows by that much.
    func consume(streamID: Int32, count: Int) {
        guard let session, count > 0 else { return }
        if nghttp2_session_consume(session, streamID, count) != 0 {
            _ = nghttp2_session_consume_connection(session, count)
        }
    }

    /// Body bytes nobody will read (closed, reset or unknown stream): reopen the connection window.
    func consumeConnection(count: Int) {
        guard let session, count > 0 else { return }
        _ = nghttp2_session_consume_connection(session, count)
    }

    func resetStream(_ streamID: Int32, errorCode: UInt32) {
        guard let session else { return }
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// First half of a graceful close: tells the client to stop opening streams.
    func submitShutdownNotice() {
        guard let session else { return }
        _ = nghttp2_submit_shutdown_notice(session)
    }

    /// Final GOAWAY naming the last stream that will be processed.
    func submitGoAway(errorCode: UInt32 = NGHTTP2_NO_ERROR.rawValue) {
        guard let session else { return }
        _ = nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session), errorCode,
            nil, 0)
    }

    /// Ends the session with a GOAWAY carrying `errorCode`.
    func terminate(errorCode: UInt32) {
        guard let session else { return }
        _ = nghttp2_session_terminate_session(session, errorCode)
    }

    // MARK: - Callbacks

    private static func session(_ userData: UnsafeMutableRawPointer?) -> HTTP2Session {
        Unmanaged<HTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
    }

    private static func installCallbacks(_ callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks) { nghttpSession, header, userData in
            // nghttp2 ignores HEADERS on a lower, never-opened stream id as if the stream had
            // closed; RFC 9113 §5.1.1 makes it a connection error.
            // (DATA on a closed stream never reaches this callback: `receive` checks it.)
            guard let nghttpSession, let header, header.pointee.type == UInt8(NGHTTP2_HEADERS.rawValue) else {
                return 0
            }
            let session = HTTP2Session.session(userData)
            let id = header.pointee.stream_id
            if let answer = session.closedStreamAnswer(toFrameOn: id) {
                // A stream that closed: nghttp2 (which no longer knows it) would ignore HEADERS.
                if answer != .ignore { session.events.append(.closedStreamFrame(streamID: id, answer: answer)) }
            } else if id > 0, id & 1 == 1, id < session.highestClientStreamID,
                nghttp2_session_find_stream(nghttpSession, id) == nil
            {
                session.events.append(.staleStreamID)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
                frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
            else { return 0 }
            let session = HTTP2Session.session(userData)
            session.highestClientStreamID = max(session.highestClientStreamID, frame.pointee.hd.stream_id)
            session.headBuilders[frame.pointee.hd.stream_id] = HTTP2RequestHeadBuilder(
                maxListSize: Int(session.settings.maxHeaderListSize), maxCount: session.settings.maxHeaderCount)
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) {
            _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, let name, let value else { return 0 }
            let session = HTTP2Session.session(userData)
            let streamID = frame.pointee.hd.stream_id
            // Trailers (a second HEADERS) are checked by nghttp2 and dropped: nothing reads them.
            guard session.headBuilders[streamID] != nil else { return 0 }
            session.headBuilders[streamID]!.add(
                name: UnsafeRawBufferPointer(start: name, count: nameLength),
                value: UnsafeRawBufferPointer(start: value, count: valueLength))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let session = HTTP2Session.session(userData)
            let header = frame.pointee.hd
            let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            // Remembered now, not from the stream's state at close: a RST_STREAM from the client
            // also shuts nghttp2's receiving side.
            if endStream { session.closedStreams.clientEnded(header.stream_id) }
            switch UInt32(header.type) {
            case NGHTTP2_HEADERS.rawValue:
                if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST,
                    let builder = session.headBuilders.removeValue(forKey: header.stream_id)
                {
                    session.events.append(
                        .request(streamID: header.stream_id, head: builder.finish(), endStream: endStream))
                } else if endStream {
                    session.events.append(.endStream(streamID: header.stream_id))
                }
            case NGHTTP2_DATA.rawValue:
                if header.length > 0 { session.emptyDataFrames = 0 }
                if endStream {
                    session.events.append(.endStream(streamID: header.stream_id))
                } else if header.length == 0 {
                    session.emptyDataFrames += 1
                    if session.emptyDataFrames == session.settings.maxEmptyDataFrames + 1 {
                        session.events.append(.emptyDataFlood)
                    }
                }
            case NGHTTP2_GOAWAY.rawValue:
                session.events.append(.goAway)
            case NGHTTP2_RST_STREAM.rawValue:
                // Called before the stream closes: frames the client sends on it after this are
                // a stream error (RFC 9113 §5.1).
                session.closedStreams.clientReset(header.stream_id)
            default:
                break
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            if frame.pointee.hd.type == UInt8(NGHTTP2_RST_STREAM.rawValue) {
                // Refused streams (over the concurrency limit) never open or close; remember
                // them so their late trailers are not taken for a stale stream id.
                HTTP2Session.session(userData).closedStreams.serverReset(frame.pointee.hd.stream_id)
                return 0
            }
            guard frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 else { return 0 }
            let type = UInt32(frame.pointee.hd.type)
            if type == NGHTTP2_DATA.rawValue || type == NGHTTP2_HEADERS.rawValue {
                HTTP2Session.session(userData).events.append(.responseEnded(streamID: frame.pointee.hd.stream_id))
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) {
            _, _, streamID, data, length, userData in
            guard let data, length > 0 else { return 0 }
            let session = HTTP2Session.session(userData)
            session.events.append(.data(streamID: streamID, session.slice(data, count: length)))
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            let session = HTTP2Session.session(userData)
            session.headBuilders[streamID] = nil
            session.closedStreams.streamClosed(streamID)
            session.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
            return 0
        }
        nghttp2_session_callbacks_set_send_data_callback(callbacks) {
            _, frame, frameHeader, length, _, userData in
            guard let frame, let frameHeader else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
            let session = HTTP2Session.session(userData)
            guard let output = session.currentOutput, let delegate = session.delegate else {
                return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
            }
            if output.pointee.byteCount >= session.sendLimit { return NGHTTP2_ERR_WOULDBLOCK.rawValue }
            output.pointee.buffer.writeBytes(UnsafeRawBufferPointer(start: frameHeader, count: 9))
            let padding = frame.pointee.data.padlen
            if padding > 0 { output.pointee.buffer.writeInteger(UInt8(padding - 1)) }
            delegate.http2Session(
                session, writeBodyBytes: length, streamID: frame.pointee.hd.stream_id, into: &output.pointee)
            if padding > 1 { output.pointee.buffer.writeRepeatingByte(0, count: padding - 1) }
            return 0
        }
    }

    /// The data source callback: how many body bytes the stream has ready. The bytes themselves
    /// are written by the send-data callback (no copy into nghttp2's buffers).
    private static let readCallback: nghttp2_data_source_read_callback = {
        _, streamID, _, length, flags, _, userData in
        let session = HTTP2Session.session(userData)
        guard let delegate = session.delegate, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
        switch delegate.http2Session(session, bodyBytesReadyFor: streamID, max: length) {
        case .bytes(let count, let isLast):
            var value = NGHTTP2_DATA_FLAG_NO_COPY.rawValue
            if isLast { value |= NGHTTP2_DATA_FLAG_EOF.rawValue }
            flags.pointee = value
            return count
        case .end:
            flags.pointee = NGHTTP2_DATA_FLAG_EOF.rawValue
            return 0
        case .deferred:
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        case .failed:
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
    }

    static let minimumSliceSize = 4096

    /// A DATA payload as a slice of the received buffer when it lies inside it (it always does:
    /// nghttp2 hands out pointers into the input), else a copy.
    private func slice(_ data: UnsafePointer<UInt8>, count: Int) -> ByteBuffer {
        // Small payloads are copied: a slice keeps the whole receive buffer alive, and flow
        // control counts payload bytes, so tiny DATA frames could pin far more memory than the
        // window allows.
        if count >= Self.minimumSliceSize, let inputBase, let inputBuffer {
            let offset = inputBase.distance(to: UnsafeRawPointer(data))
            if offset >= 0, offset + count <= inputBuffer.readableBytes,
                let slice = inputBuffer.getSlice(at: inputBuffer.readerIndex + offset, length: count)
            {
                return slice
            }
        }
        var copy = ByteBuffer()
        copy.writeBytes(UnsafeRawBufferPointer(start: data, count: count))
        return copy
    }
}
