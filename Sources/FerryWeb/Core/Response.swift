public import FerryHTTP
public import HTTPTypes
import NIOCore

/// A handler's answer. Framing fields are the engine's business; everything else is set here.
public struct Response: Sendable {
    public var status: HTTPResponse.Status {
        didSet { encodedHead = nil }
    }
    public var headers: HTTPFields {
        didSet { encodedHead = nil }
    }
    public var body: HTTPResponseBody
    /// The handler already set the security fields and chose the encoding (static files prebuild
    /// whole field sets); ``WebResponder`` then only appends the request id.
    public var preparedFields: Bool
    /// Status and headers encoded in advance; dropped as soon as either changes.
    public private(set) var encodedHead: PreparedHead?
    /// Lets the application stop the body's file segments part-way (a drop revoked while it
    /// is downloaded); see ``ResponseLease``.
    public var lease: ResponseLease?

    public init(
        status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], body: HTTPResponseBody = .empty,
        preparedFields: Bool = false
    ) {
        self.preparedFields = preparedFields
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose fields were fixed and encoded in advance (security fields included).
    public init(prepared: PreparedHead, body: HTTPResponseBody = .empty) {
        self.init(status: prepared.status, headers: prepared.fields, body: body, preparedFields: true)
        self.encodedHead = prepared
    }

    var serverResponse: HTTPServerResponse {
        var response =
            if let encodedHead {
                HTTPServerResponse(prepared: encodedHead, body: body)
            } else {
                HTTPServerResponse(head: HTTPResponse(status: status, headerFields: headers), body: body)
            }
        response.lease = lease
        return response
    }

    /// The response with its security fields applied and its fields encoded once, marked
    /// prepared: for fixed answers built at start-up and returned for every request.
    public func prepared() -> Response {
        var fields = headers
        SecurityHeaders.apply(to: &fields)
        return Response(prepared: PreparedHead(status: status, fields: fields), body: body)
    }

    /// Plain text, UTF-8.
    public static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .buffer(ByteBuffer(string: text)))
    }

    /// An HTML document, revalidated on every use (`no-cache`) so deploys show at once.
    public static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
            body: .buffer(ByteBuffer(string: html)))
    }

    /// A redirect to `location`.
    public static func redirect(to location: String, status: HTTPResponse.Status = .seeOther) -> Response {
        Response(status: status, headers: [.location: location])
    }

    /// A streamed body of unknown length.
    public static func stream(
        contentType: String,
        status: HTTPResponse.Status = .ok,
        _ produce: @escaping @Sendable (any HTTPBodyWriter) async throws -> Void
    ) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .stream(produce))
    }
}
