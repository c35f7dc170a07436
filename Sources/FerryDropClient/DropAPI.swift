import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The server's drops and tus endpoints (docs/DROPS.md, "JSON API"), one method per request, over
/// async-http-client. Refusals become ``DropClientError/server(status:detail:)`` with the
/// problem's own detail.
public struct DropAPI: Sendable {
    /// The server's base URL, without a trailing slash.
    public let server: String
    /// An API token (`write` scope) for the member's requests; downloads need none.
    public let token: String?
    let client: HTTPClient

    static let tusVersion = "1.0.0"
    /// Silence after which a request fails (and a send retries): the server fsyncs each chunk
    /// before it answers, so this is generous.
    static let silenceTimeout: TimeAmount = .seconds(120)

    public init(server: String, token: String?, client: HTTPClient = .shared) {
        self.server = DropLink.trimmedServer(server)
        self.token = token
        self.client = client
    }

    /// Runs `body` with an API on an HTTP client of its own (connect within 10 s, fail after
    /// 2 minutes without a byte read or written), shut down afterwards.
    public static func with<T: Sendable>(
        server: String, token: String?, _ body: (DropAPI) async throws -> T
    ) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(
            connect: .seconds(10), read: silenceTimeout, write: silenceTimeout)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(DropAPI(server: server, token: token, client: client))
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: tus

    /// `POST /api/v1/uploads`: a new upload of `length` bytes; returns its absolute URL.
    public func createUpload(length: Int64) async throws -> String {
        var request = tusRequest(server + "/api/v1/uploads", method: .POST)
        request.headers.add(name: "Upload-Length", value: String(length))
        let response = try await execute(request)
        guard response.status == .created, let location = response.headers.first(name: "Location") else {
            throw try await refusal(response)
        }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return absolute(location)
    }

    /// `HEAD` of an upload: the offset the server acknowledged, nil when the upload is gone
    /// (expired, used or never there).
    public func uploadOffset(_ url: String) async throws -> Int64? {
        let response = try await execute(tusRequest(url, method: .HEAD))
        switch response.status {
        case .ok:
            guard let offset = response.headers.first(name: "Upload-Offset").flatMap({ Int64($0) }) else {
                throw DropClientError.server(status: 200, detail: "HEAD without Upload-Offset")
            }
            return offset
        case .notFound, .gone: return nil
        default: throw try await refusal(response)
        }
    }

    /// `PATCH` of an upload: `chunk` at its offset, with its `Upload-Checksum`; returns the new
    /// offset. `progress` counts the bytes as the client takes them.
    public func append(
        to url: String, chunk: CiphertextChunk, progress: @escaping @Sendable (Int) -> Void
    ) async throws -> Int64 {
        var request = tusRequest(url, method: .PATCH)
        request.headers.add(name: "Upload-Offset", value: String(chunk.offset))
        request.headers.add(name: "Upload-Checksum", value: chunk.uploadChecksum)
        request.headers.add(name: "Content-Type", value: "application/offset+octet-stream")
        request.body = .stream(chunk.body(progress: progress), length: .known(Int64(chunk.bytes.readableBytes)))
        let response = try await execute(request)
        guard response.status == .noContent,
            let next = response.headers.first(name: "Upload-Offset").flatMap({ Int64($0) })
        else { throw try await refusal(response) }
        return next
    }

    // MARK: drops

    /// `GET /api/v1/drops/limits`: the server's limits for drops; nil from a server older than
    /// the route (it answers 404), which then checks them only when the drop is made.
    public func limits() async throws -> DropLimits? {
        var request = HTTPClientRequest(url: server + "/api/v1/drops/limits")
        request.method = .GET
        authorize(&request)
        let response = try await execute(request)
        if response.status == .notFound {
            _ = try? await response.body.collect(upTo: 1 << 20)
            return nil
        }
        guard response.status == .ok else { throw try await refusal(response) }
        return try await decode(DropLimits.self, response)
    }

    /// `POST /api/v1/drops`: creates the drop; returns its id.
    public func createDrop(_ body: NewDropRequest) async throws -> String {
        var request = HTTPClientRequest(url: server + "/api/v1/drops")
        request.method = .POST
        authorize(&request)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response = try await execute(request)
        guard response.status == .created else { throw try await refusal(response) }
        struct Created: Decodable { var id: String }
        return try await decode(Created.self, response).id
    }

    /// `GET /api/v1/drops/{id}`: what opening needs.
    public func info(dropID: String) async throws -> DropInfo {
        var request = HTTPClientRequest(url: server + "/api/v1/drops/" + dropID)
        request.method = .GET
        let response = try await execute(request)
        guard response.status == .ok else { throw try await refusal(response) }
        return try await decode(DropInfo.self, response)
    }

    /// `POST /api/v1/drops/{id}/open`: counts a download (or, with a still-valid `ticket`, does
    /// not) and answers the ticket, the sealed metadata and the files' ciphertext lengths.
    public func open(dropID: String, proof: [UInt8], ticket: String?) async throws -> OpenedDrop {
        var request = HTTPClientRequest(url: server + "/api/v1/drops/" + dropID + "/open")
        request.method = .POST
        request.headers.add(name: "Ferry-Drop-Proof", value: Base64URL.encode(proof))
        if let ticket { request.headers.add(name: "Ferry-Drop-Ticket", value: ticket) }
        let response = try await execute(request)
        guard response.status == .ok else { throw try await refusal(response) }
        return try await decode(OpenedDrop.self, response)
    }

    /// `GET /api/v1/drops/{id}/files/{index}` for the ciphertext bytes `range` (inclusive); the
    /// caller reads the body as it arrives.
    public func file(
        dropID: String, index: Int, proof: [UInt8], ticket: String, range: ClosedRange<Int64>
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: server + "/api/v1/drops/\(dropID)/files/\(index)")
        request.method = .GET
        request.headers.add(name: "Ferry-Drop-Proof", value: Base64URL.encode(proof))
        request.headers.add(name: "Ferry-Drop-Ticket", value: ticket)
        request.headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)")
        let response = try await execute(request)
        guard response.status == .partialContent || (response.status == .ok && range.lowerBound == 0) else {
            throw try await refusal(response)
        }
        return response
    }

    // MARK: plumbing

    private func tusRequest(_ url: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Tus-Resumable", value: Self.tusVersion)
        authorize(&request)
        return request
    }

    private func authorize(_ request: inout HTTPClientRequest) {
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, deadline: .distantFuture)
        } catch let error as DropClientError {
            throw error  // from a streamed body (a file that changed)
        } catch {
            throw DropClientError.io("cannot reach \(server): \(Self.reason(error))")
        }
    }

    /// A connection failure in words: NIO's error descriptions are for programmers.
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return "its certificate is not trusted on this computer (a self-signed one must be trusted here too:"
                + " README, \"HTTPS on a team network\")"
        }
        if text.contains("Connection refused") { return "connection refused (is Ferry running there, on that port?)" }
        if text.contains("UnknownHost") || text.contains("Name or service not known") {
            return "the host name is not known"
        }
        if text.contains("connectTimeout") || text.contains("Timed out") { return "no answer (timed out)" }
        if text.contains("WRONG_VERSION_NUMBER") {
            return "the TLS handshake failed: the server does not speak https on that port (http://?)"
        }
        if text.contains("handshakeFailed") || text.contains("SSL routines") {
            return "the TLS handshake failed (is it an https server?)"
        }
        return text
    }

    /// The URL of a `Location` answer (a path on this server, or absolute).
    func absolute(_ location: String) -> String {
        guard !location.hasPrefix("http://"), !location.hasPrefix("https://") else { return location }
        guard let base = URL(string: server), let resolved = URL(string: location, relativeTo: base) else {
            return server + location
        }
        return resolved.absoluteString
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClientResponse) async throws -> T {
        let body = try await response.body.collect(upTo: 16 << 20)
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(type, from: body)
        } catch {
            throw DropClientError.server(status: Int(response.status.code), detail: "an answer that is not the API's")
        }
    }

    /// The problem document of a refusal as an error.
    private func refusal(_ response: HTTPClientResponse) async throws -> DropClientError {
        struct Problem: Decodable {
            struct FieldError: Decodable {
                var detail: String
            }
            var type: String?
            var detail: String?
            var errors: [FieldError]?
        }
        let body = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        let problem = try? JSONDecoder().decode(Problem.self, from: body)
        var detail = problem?.detail ?? response.status.reasonPhrase
        // "The request is not valid." alone does not say what to change: the fields' own words do.
        if let fields = problem?.errors, !fields.isEmpty {
            detail += " " + fields.map(\.detail).joined(separator: " ")
        }
        // Gone for good only when Ferry says so (a proxy's 410 page, a blob missing for a moment:
        // not a reason to throw away a resumable download). A deleted drop is a 404 of its
        // description, which the receiver treats as gone where it asks for it.
        let goneTypes = ["drop-expired", "drop-revoked", "drop-exhausted"]
        if response.status == .gone, let type = problem?.type, goneTypes.contains(where: { type.hasSuffix("/\($0)") }) {
            return .gone(detail)
        }
        // Not an answer of Ferry's API (no problem document): most likely the server's address
        // names a page of it (".../drops") rather than the server itself.
        if problem == nil, [404, 405].contains(response.status.code) {
            detail +=
                " (not Ferry's API there: the server's address is the one Ferry is served at,"
                + " like https://ferry.example, without a page's path)"
        }
        return .server(status: Int(response.status.code), detail: detail)
    }
}
