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

    /// Renders template `name` inside the layout, as an HTML response.
    public func render(
        _ name: String, title: String, context: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let manifest = assets()
        var full = context
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
