import FerryHTTP
import FerryServer
import Foundation
import NIOCore

/// Starts the real Ferry server on 127.0.0.1 with an ephemeral port, the repository's `Public/`
/// and `Templates/`, and a throw-away data folder.
struct LiveServer {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    let server: FerryServer
    let port: Int
    let dataDirectory: String

    static func start(
        publicDirectory: String = repositoryRoot + "/Public",
        configure: (inout FerryConfiguration) -> Void = { _ in }
    ) async throws -> LiveServer {
        let data = NSTemporaryDirectory() + "ferry-test-" + UUID().uuidString
        var configuration = FerryConfiguration(
            http: HTTPServerConfiguration(host: "127.0.0.1", port: 0), dataDirectory: data,
            publicDirectory: publicDirectory, templatesDirectory: repositoryRoot + "/Templates",
            logLevel: .error, accessLog: false)
        configure(&configuration)
        let server = try await FerryServer(configuration: configuration)
        let address = try await server.start()
        return LiveServer(server: server, port: address.port ?? 0, dataDirectory: data)
    }

    func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }

    /// Sends one request on a new connection and returns the response.
    func request(_ raw: String, headRequest: Bool = false) async throws -> RawResponse? {
        let client = try client()
        await client.send(raw)
        return await client.readResponses(1, headRequest: headRequest).first
    }

    func get(_ path: String, method: String = "GET", headers: [String: String] = [:]) async throws -> RawResponse? {
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        return try await request(
            "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\(extra)\r\n", headRequest: method == "HEAD")
    }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
