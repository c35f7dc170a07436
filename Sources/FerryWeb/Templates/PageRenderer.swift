import FerryHTTP
import Foundation
import HTTPTypes

/// Renders full pages: adds what every layout needs (import map, fingerprinted asset URLs,
/// version) and the Content-Security-Policy that allows exactly that import map.
public struct PageRenderer: Sendable {
    let templates: TemplateRenderer
    let assets: @Sendable () -> AssetManifest
    let version: String

    public init(templates: TemplateRenderer, assets: @escaping @Sendable () -> AssetManifest, version: String) {
        self.templates = templates
        self.assets = assets
        self.version = version
    }

    /// Renders a typed page as an HTML response.
    public func render<P: Page>(_ page: P, status: HTTPResponse.Status = .ok) throws -> Response {
        try render(P.template, title: page.title, context: page.values, status: status)
    }

    /// Fails unless every page type's template exists, so a missing template stops the server at
    /// start instead of turning into 500s later.
    public func verify(_ pages: [any Page.Type]) throws(TemplateError) {
        let available = Set(templates.templateNames)
        for page in pages where !available.contains(page.template) {
            throw .missing(page.template)
        }
    }

    /// The pages the web layer itself renders.
    public static let builtInPages: [any Page.Type] = [ErrorPage.self]

    /// Renders template `name` inside the layout, as an HTML response.
    public func render(
        _ name: String, title: String, context: [String: any Sendable] = [:], status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let manifest = assets()
        var full: [String: Any] = context
        full["title"] = title
        full["version"] = version
        full["year"] = Calendar(identifier: .gregorian).component(.year, from: Date())
        full["importMap"] = manifest.importMapJSON
        full["assets"] = manifest.templateKeys
        let html = try templates.render(name, context: full)
        var response = Response.html(html, status: status)
        response.headers[.contentSecurityPolicy] = SecurityHeaders.contentSecurityPolicy(
            importMapHash: manifest.importMapHash)
        return response
    }
}
