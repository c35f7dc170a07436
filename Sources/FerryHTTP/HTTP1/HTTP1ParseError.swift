public import HTTPTypes

/// Why a request could not be parsed, carrying the status the engine answers with before it closes.
///
/// Every parse error closes the connection: after a framing error the byte stream can no longer be
/// trusted (request smuggling), so the engine never tries to resynchronise.
public struct HTTP1ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status sent to the client.
    public var status: HTTPResponse.Status
    /// A short, precise, client-safe explanation.
    public var reason: String
    /// The request target, when the parser got that far; lets the web layer pick an error format.
    public var target: String?

    public init(_ status: HTTPResponse.Status, _ reason: String, target: String? = nil) {
        self.status = status
        self.reason = reason
        self.target = target
    }

    public var description: String { "\(status.code) \(reason)" }

    static func badRequest(_ reason: String) -> Self { .init(.badRequest, reason) }
}
