import FerryHTTP
import FerryServer
import FerryWeb
import Foundation
import Testing

/// Start-up refuses broken set-ups with a clear error instead of failing on the first request.
@Suite("Server start-up checks")
struct ServerStartupTests {
    static func configuration(templates: String, publicDirectory: String = LiveServer.repositoryRoot + "/Public")
        -> FerryConfiguration
    {
        FerryConfiguration(
            http: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
            dataDirectory: NSTemporaryDirectory() + "ferry-start-" + UUID().uuidString,
            publicDirectory: publicDirectory, templatesDirectory: templates, logLevel: .error, accessLog: false)
    }

    @Test("a page whose template is missing stops the server at start")
    func missingPageTemplate() async throws {
        let templates = NSTemporaryDirectory() + "ferry-templates-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: templates, withIntermediateDirectories: true)
        for name in ["layout", "header", "footer", "error"] {
            try FileManager.default.copyItem(
                atPath: LiveServer.repositoryRoot + "/Templates/\(name).mustache",
                toPath: templates + "/\(name).mustache")
        }
        await #expect(throws: TemplateError.missing("setup")) {
            try await FerryServer(configuration: Self.configuration(templates: templates))
        }
    }

    @Test("a missing templates or public folder is a clear error")
    func missingFolders() async {
        await #expect(throws: TemplateError.unreadableDirectory("/nonexistent-ferry-templates")) {
            try await FerryServer(configuration: Self.configuration(templates: "/nonexistent-ferry-templates"))
        }
        await #expect(throws: StaticFileIndexError.notADirectory("/nonexistent-ferry-public")) {
            try await FerryServer(
                configuration: Self.configuration(
                    templates: LiveServer.repositoryRoot + "/Templates", publicDirectory: "/nonexistent-ferry-public"))
        }
    }
}
