import Foundation
import Testing

@testable import FerryWeb

@Suite("Templates")
struct TemplateRendererTests {
    static func makeDirectory(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "ferry-templates-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        return directory
    }

    @Test("layout inheritance with partials, HTML-escaped by default")
    func layoutAndEscaping() throws {
        let directory = try Self.makeDirectory([
            "layout.mustache":
                "<title>{{$title}}none{{/title}}</title>{{> header}}<main>{{$content}}{{/content}}</main>",
            "header.mustache": "<header>{{site}}</header>",
            "page.mustache":
                "{{<layout}}{{$title}}{{name}}{{/title}}{{$content}}<p>{{name}}</p>{{/content}}{{/layout}}",
        ])
        let renderer = try TemplateRenderer(directory: directory)
        let html = try renderer.render("page", context: ["name": "<script>x</script>", "site": "Ferry"])
        #expect(html.contains("<title>&lt;script&gt;x&lt;/script&gt;</title>"))
        #expect(html.contains("<header>Ferry</header>"))
        #expect(html.contains("<p>&lt;script&gt;x&lt;/script&gt;</p>"))
        #expect(!html.contains("<script>"))
    }

    @Test("a missing template throws instead of rendering nothing")
    func missing() throws {
        let renderer = try TemplateRenderer(directory: try Self.makeDirectory(["a.mustache": "a"]))
        #expect(throws: TemplateError.missing("nope")) { try renderer.render("nope", context: [:]) }
    }

    @Test("a folder given as a symbolic link is read where it points")
    func symlinkedFolder() throws {
        let directory = try Self.makeDirectory(["a.mustache": "hello {{name}}"])
        let link = NSTemporaryDirectory() + "ferry-templates-link-" + UUID().uuidString
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let renderer = try TemplateRenderer(directory: link)
        #expect(try renderer.render("a", context: ["name": "Ann"]) == "hello Ann")
    }

    @Test("an unreadable folder and a broken template are clear errors at start")
    func startErrors() throws {
        #expect(throws: TemplateError.unreadableDirectory("/nonexistent-ferry")) {
            try TemplateRenderer(directory: "/nonexistent-ferry")
        }
        let broken = try Self.makeDirectory(["bad.mustache": "{{#open}}never closed"])
        #expect(throws: TemplateError.self) { try TemplateRenderer(directory: broken) }
    }

    @Test("development mode picks up edits without a restart")
    func reload() throws {
        let directory = try Self.makeDirectory(["t.mustache": "one"])
        let renderer = try TemplateRenderer(directory: directory, reloadsOnRender: true)
        #expect(try renderer.render("t", context: [:]) == "one")
        try Data("two".utf8).write(to: URL(fileURLWithPath: directory + "/t.mustache"))
        #expect(try renderer.render("t", context: [:]) == "two")
    }
}
