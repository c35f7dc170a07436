import HTTPTypes
import NIOCore

extension HTTP1ConnectionHandler {
    /// The objects of one request/response exchange; whether the request and response are
    /// complete is the state machine's business.
    final class Exchange {
        let id: UInt64
        let head: HTTP1RequestHead
        let start: NIODeadline
        let bodySource: RequestBodySource?
        /// Body bytes handed to the socket: buffers when queued, file slices when written (a
        /// response cut part-way is logged with what it sent).
        var bodyBytesSent: Int64 = 0
        /// File slices queued and not yet written (sendfile); the exchange is recorded once the
        /// last one has finished, when its true length and duration are known.
        var fileSlicesInFlight = 0
        /// The response is complete but waits for its file slices to be recorded.
        var recordWhenFileSlicesFinish = false
        var sentHead: HTTPResponse?
        var route: String?
        var requestID: String?
        /// The task running an async handler or a stream, cancelled if the connection goes away.
        var task: Task<Void, Never>?
        /// The Content-Length a streaming response declared; its writes must add up to it.
        var streamRemaining: Int64?
        /// How a streaming response's body is framed (chunked, declared length, or until close).
        var streamFraming: HTTP1ResponseEncoder.Framing = .noBody

        init(id: UInt64, head: HTTP1RequestHead, start: NIODeadline, bodySource: RequestBodySource?) {
            self.id = id
            self.head = head
            self.start = start
            self.bodySource = bodySource
        }
    }
}
