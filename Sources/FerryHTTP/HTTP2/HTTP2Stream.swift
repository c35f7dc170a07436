import HTTPTypes
import NIOCore

/// One request/response exchange on an HTTP/2 connection.
final class HTTP2Stream {
    let id: Int32
    let request: HTTPRequest
    let start: NIODeadline
    let bodySource: RequestBodySource?
    /// An RFC 8441 extended CONNECT (`:method CONNECT` with `:protocol`): the only request a
    /// tunnel may answer. Its body is the client's side of a tunnel to be, so it is never timed
    /// as a request body.
    let isExtendedConnect: Bool
    /// The stream carries a tunnel: its head (a 2xx) went out and its DATA frames are the tunnel's
    /// bytes. Exempt from the body-read and response-write timeouts; timed by the tunnel idle
    /// timeout instead.
    var isTunnel = false
    /// The tunnel was cut (RST_STREAM queued); the stream only waits to close.
    var tunnelReset = false
    /// When a tunnel byte last moved, either way.
    var lastTunnelActivity: NIODeadline
    /// The client ended its side (END_STREAM).
    var requestComplete: Bool
    /// Body bytes received and not yet handed back to flow control.
    var unconsumedBytes = 0
    var responseHead: HTTPResponse?
    var route: String?
    var requestID: String?
    var task: Task<Void, Never>?
    var body = HTTP2BodyQueue()
    /// Checked before each file slice is read (``ResponseLease``).
    var lease: ResponseLease?
    var bodyBytesSent: Int64 = 0
    /// The Content-Length a streaming response declared; its writes must add up to it.
    var streamRemaining: Int64?
    /// The last frame of the response (END_STREAM) has been sent.
    var responseComplete = false
    /// When request-body bytes last arrived (or the stream opened): the body-read timeout.
    var lastBodyActivity: NIODeadline
    /// The body-read timeout already failed the body.
    var bodyTimedOut = false

    /// The handler waits for body bytes the client does not send: every byte received was read.
    var isWaitingForClient: Bool {
        bodySource != nil && !isExtendedConnect && !requestComplete && !bodyTimedOut && unconsumedBytes == 0
            && !responseComplete
    }

    /// A tunnel the idle timeout watches.
    var isLiveTunnel: Bool { isTunnel && !tunnelReset }

    init(id: Int32, request: HTTPRequest, start: NIODeadline, bodySource: RequestBodySource?, requestComplete: Bool) {
        self.id = id
        self.request = request
        self.start = start
        self.bodySource = bodySource
        self.requestComplete = requestComplete
        self.lastBodyActivity = start
        self.lastTunnelActivity = start
        self.isExtendedConnect = request.method == .connect && request.extendedConnectProtocol != nil
    }
}
