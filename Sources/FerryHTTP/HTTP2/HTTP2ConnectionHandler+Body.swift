import CNghttp2
import HTTPTypes
import NIOCore

/// Response bodies: what nghttp2 may frame next for a stream, and file slices read off the loop.
extension HTTP2ConnectionHandler {
    // MARK: - HTTP2SessionDelegate

    func http2Session(_ session: HTTP2Session, bodyBytesReadyFor streamID: Int32, max: Int) -> HTTP2BodyReadiness {
        guard let stream = streams[streamID] else { return .failed }
        let ready = stream.body.readyBytes
        // File ranges still to be read are not ready: the stream waits (deferred) for the read.
        let complete = stream.body.ended && stream.body.isFullyBuffered
        if ready == 0 { return complete ? .end : .deferred }
        let count = Int(min(Int64(max), ready))
        return .bytes(count, isLast: complete && Int64(count) == ready)
    }

    func http2Session(
        _ session: HTTP2Session, writeBodyBytes count: Int, streamID: Int32, into output: inout HTTP2Output
    ) {
        guard let stream = streams[streamID] else {
            output.buffer.writeRepeatingByte(0, count: count)  // cannot happen: nghttp2 asked for it
            return
        }
        lastOutputProgress = .now()
        if stream.isTunnel { stream.lastTunnelActivity = lastOutputProgress }
        // Counted as framed, not as queued: a stream reset part-way (a lease that ended, a client
        // gone) is logged with what it sent.
        stream.bodyBytesSent += Int64(count)
        stream.body.take(count, into: &output)
        readFileSlice(for: stream)
    }

    /// Starts reading the stream's next file slice off the event loop, when one is due. The bytes
    /// join the body when the read lands; a file that cannot be read to its promised length resets
    /// the stream before any of the missing bytes were promised in a frame.
    func readFileSlice(for stream: HTTP2Stream) {
        if stream.lease?.hasEnded == true, !stream.body.isFullyBuffered {
            // The application withdrew the rest (a revoked drop): the stream ends here, unfinished.
            stream.body.fail(ResponseLeaseEnded())
            stream.body.ended = true
            session.resetStream(stream.id, errorCode: NGHTTP2_CANCEL.rawValue)
            return
        }
        guard let read = stream.body.nextRead() else { return }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let boundStream = NIOLoopBound(stream, eventLoop: eventLoop)
        FileSliceReader.shared.read(path: read.path, offset: read.offset, count: read.count, on: eventLoop)
            .whenComplete { result in
                let handler = loopBound.value
                let stream = boundStream.value
                guard !handler.isClosed, handler.streams[stream.id] === stream else { return }
                switch result {
                case .success(let bytes):
                    stream.body.completeRead(bytes)
                    handler.readFileSlice(for: stream)
                case .failure(let error):
                    stream.body.fail(error)
                    stream.body.ended = true
                    handler.session.resetStream(stream.id, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
                }
                handler.session.resumeData(streamID: stream.id)
                handler.schedulePump()
            }
    }
}
