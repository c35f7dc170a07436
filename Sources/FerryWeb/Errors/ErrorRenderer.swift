import FerryHTTP
import Foundation
import HTTPTypes
import Logging
import NIOCore

/// Turns errors into responses: RFC 9457 problem+json under `/api`, an HTML page rendered from
/// `Templates/error.mustache` elsewhere (plain text if even that fails), with what the
/// application's ``ErrorPageContext`` adds for the request.
public struct ErrorRenderer: Sendable {
    let pages: PageRenderer?
    let logger: Logger
    let context: (any ErrorPageContext)?

    public init(pages: PageRenderer?, logger: Logger, context: (any ErrorPageContext)? = nil) {
        self.pages = pages
        self.logger = logger
        self.context = context
    }

    /// Whether the error page for `request` waits for the application's values: only an HTML page,
    /// and only for a request the context may have something for.
    func needsContext(for request: Request, wantsJSON: Bool) -> Bool {
        !wantsJSON && pages != nil && context?.applies(to: request) == true
    }

    /// The application's values for `request`'s error page.
    func contextValues(for request: Request) async -> [String: any Sendable] {
        await context?.values(for: request) ?? [:]
    }

    /// Maps any error a handler threw to an ``HTTPError``; unknown errors become a 500 whose detail
    /// does not leak internals (they are logged with the request id instead).
    func httpError(for error: any Error, requestID: String) -> HTTPError {
        switch error {
        case let error as HTTPError:
            return error
        case HTTPBodyError.tooLarge(let limit):
            return HTTPError(.contentTooLarge, detail: "The request body is larger than \(limit) bytes.")
        case HTTPBodyError.readTimeout:
            return HTTPError(.requestTimeout, detail: "The request body did not arrive in time.")
        case HTTPBodyError.connectionClosed:
            return HTTPError(.badRequest, detail: "The request body ended early.")
        case is CancellationError:
            // The connection went away and its handler was cancelled: nobody will read this
            // answer, and it is not a server fault worth an error line.
            return HTTPError(.serviceUnavailable, detail: "The request was cancelled.")
        case let error as TemplateError:
            logger.error("template failed", metadata: ["request": "\(requestID)", "error": "\(error)"])
            return HTTPError(.internalServerError, detail: "The page could not be rendered.")
        default:
            logger.error("handler failed", metadata: ["request": "\(requestID)", "error": "\(error)"])
            return HTTPError(.internalServerError, detail: "Something went wrong on the server.")
        }
    }

    /// The response for an error, in the format the client expects.
    func response(
        for error: HTTPError, path: Substring, wantsJSON: Bool, pageContext: [String: any Sendable] = [:]
    ) -> Response {
        var response: Response
        if wantsJSON {
            response = problem(error, path: path)
        } else {
            response = page(error, context: pageContext)
        }
        for field in error.headers { response.headers.append(field) }
        return response
    }

    func problem(_ error: HTTPError, path: Substring) -> Response {
        let document = ProblemDocument(
            type: "/problems/\(error.type)",
            title: error.status.reasonPhrase,
            status: error.status.code,
            detail: error.detail,
            instance: String(path),
            errors: error.errors.isEmpty ? nil : error.errors
        )
        let data = (try? JSONCoding.encoder.encode(document)) ?? Data("{}".utf8)
        return Response(
            status: error.status,
            headers: [.contentType: "application/problem+json", .cacheControl: "no-store"],
            body: .buffer(ByteBuffer(bytes: data))
        )
    }

    func page(_ error: HTTPError, context: [String: any Sendable] = [:]) -> Response {
        if let pages, var response = try? pages.render(ErrorPage(error: error, context: context), status: error.status)
        {
            response.headers[.cacheControl] = "no-store"
            return response
        }
        return Response.text(
            "\(error.status.code) \(error.status.reasonPhrase)\n\n\(error.detail)\n", status: error.status)
    }
}
