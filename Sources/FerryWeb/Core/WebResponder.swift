import FerryHTTP
import HTTPTypes
import NIOCore

/// The web layer's entry point: routes each request, runs its handler (inline on the event loop or
/// in one task), maps errors, and finishes every response the same way (security fields, request
/// id, compression).
public final class WebResponder: HTTPResponder {
    let router: Router
    let errors: ErrorRenderer
    let configuration: WebConfiguration
    let observers: [any ExchangeObserver]

    public init(
        router: Router, errors: ErrorRenderer, configuration: WebConfiguration = WebConfiguration(),
        observers: [any ExchangeObserver] = []
    ) {
        self.router = router
        self.errors = errors
        self.configuration = configuration
        self.observers = observers
    }

    public func respond(to serverRequest: HTTPServerRequest) -> HTTPResponderResult {
        var request = Request(
            head: serverRequest.head, body: serverRequest.body, connection: serverRequest.connection,
            id: RequestID.next())
        switch router.match(method: request.method, path: request.path) {
        case .found(let endpoint, let parameters):
            request.parameters = parameters
            if !request.body.isKnownEmpty {
                request.body = request.body.limited(to: endpoint.maxBodySize)
                // A declared length over the limit is refused before a byte of the body is read.
                if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > endpoint.maxBodySize
                {
                    return errorResult(
                        HTTPBodyError.tooLarge(limit: endpoint.maxBodySize), request, route: endpoint.pattern)
                }
            }
            switch endpoint.handler {
            case .inline(let handler):
                do {
                    return .ready(finish(try handler(request), request, route: endpoint.pattern))
                } catch {
                    return errorResult(error, request, route: endpoint.pattern)
                }
            case .async(let handler):
                return .async { [self, request] in
                    let response: Response
                    do {
                        response = try await handler(request)
                    } catch {
                        response = await errorResponse(error, request)
                    }
                    return finish(response, request, route: endpoint.pattern)
                }
            }
        case .options(let allowed):
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            return .ready(finish(Response(status: .noContent, headers: [.allow: allow]), request, route: nil))
        case .methodNotAllowed(let allowed):
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            let error = HTTPError(
                .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here; use \(allow).",
                headers: [.allow: allow])
            return errorResult(error, request, route: nil)
        case .notFound:
            let error = HTTPError(.notFound, detail: "Nothing is found at this address.")
            return errorResult(error, request, route: nil)
        }
    }

    public func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse {
        let target = error.target ?? ""
        let path = target.split(separator: "?", maxSplits: 1).first ?? ""
        let wantsJSON = isAPI(path)
        let httpError = HTTPError(error.status, detail: "The request was refused: \(error.reason).")
        var response = errors.response(for: httpError, path: path, wantsJSON: wantsJSON)
        SecurityHeaders.apply(to: &response.headers)
        return response.serverResponse
    }

    /// Whether a path belongs to the JSON API, which answers errors with problem+json.
    private func isAPI(_ path: Substring) -> Bool {
        let prefix = configuration.apiPathPrefix
        guard path.hasPrefix(prefix) else { return false }
        return path.count == prefix.count || path.dropFirst(prefix.count).first == "/"
    }

    public func requestCompleted(_ record: HTTPExchangeRecord) {
        for observer in observers { observer.observe(record) }
    }

    /// The answer for an error outside a handler's task: at once, unless its page waits for the
    /// application's values (a signed-in person's navigation).
    private func errorResult(_ error: any Error, _ request: Request, route: String?) -> HTTPResponderResult {
        guard errors.needsContext(for: request, wantsJSON: isAPI(request.path)) else {
            let httpError = errors.httpError(for: error, requestID: request.id)
            let response = errors.response(for: httpError, path: request.path, wantsJSON: isAPI(request.path))
            return .ready(finish(response, request, route: route))
        }
        return .async { [self, request] in
            finish(await errorResponse(error, request), request, route: route)
        }
    }

    private func errorResponse(_ error: any Error, _ request: Request) async -> Response {
        let httpError = errors.httpError(for: error, requestID: request.id)
        let wantsJSON = isAPI(request.path)
        let context =
            errors.needsContext(for: request, wantsJSON: wantsJSON) ? await errors.contextValues(for: request) : [:]
        return errors.response(for: httpError, path: request.path, wantsJSON: wantsJSON, pageContext: context)
    }

    /// What every response gets, whichever handler produced it.
    private func finish(_ response: Response, _ request: Request, route: String?) -> HTTPServerResponse {
        var response = response
        // Prepared responses (static files, fixed answers) go out untouched: appending to their
        // shared field storage would copy it for every request. Their request id is in the log.
        if !response.preparedFields {
            response.headers.append(HTTPField(name: .xRequestID, value: request.id))
            SecurityHeaders.apply(to: &response.headers)
            compressIfWorthIt(&response, request)
        }
        var serverResponse = response.serverResponse
        serverResponse.route = route
        serverResponse.requestID = request.id
        return serverResponse
    }

    /// Compresses a buffered, compressible body the client accepts, above the threshold.
    private func compressIfWorthIt(_ response: inout Response, _ request: Request) {
        guard case .segments(let segments) = response.body, segments.count == 1,
            case .buffer(let buffer) = segments[0],
            buffer.readableBytes >= configuration.compressionThreshold,
            buffer.readableBytes <= configuration.compressionMaxSize,
            response.headers[.contentEncoding] == nil,
            let type = response.headers[.contentType], MIMEType.isCompressible(type)
        else { return }
        let coding = AcceptEncoding.choose(request.headers[.acceptEncoding], available: [.br, .gzip, .identity])
        let compressed: ByteBuffer?
        switch coding {
        case .br: compressed = Compressor.brotli(buffer, quality: configuration.dynamicBrotliQuality)
        case .gzip: compressed = Compressor.gzip(buffer)
        case .identity: compressed = nil
        }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        guard let compressed, compressed.readableBytes < buffer.readableBytes else { return }
        response.headers[.contentEncoding] = coding.rawValue
        response.body = .buffer(compressed)
    }
}
