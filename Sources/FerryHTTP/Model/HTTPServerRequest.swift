public import HTTPTypes

/// A request as every protocol delivers it to the layers above: the head in swift-http-types'
/// model and the body as an async sequence with backpressure.
public struct HTTPServerRequest: Sendable {
    public var head: HTTPRequest
    public var body: HTTPRequestBody
    public var connection: HTTPConnectionInfo

    public init(head: HTTPRequest, body: HTTPRequestBody, connection: HTTPConnectionInfo) {
        self.head = head
        self.body = body
        self.connection = connection
    }
}
