import FerryWeb

/// Health, readiness and version, and the API's own OpenAPI document.
public struct SystemModule: FerryModule {
    /// Whether the server can take traffic (its stores are open and it is not stopping).
    public let ready: @Sendable () -> Bool

    public init(ready: @escaping @Sendable () -> Bool) {
        self.ready = ready
    }

    public func register(on routes: ModuleRoutes) {
        SystemRoutes.register(on: routes.api, ready: ready)
        let document = Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
            body: .buffer(.init(bytes: PackageResources.openapi_json))
        ).prepared()
        routes.api.addPublic(.get, "/openapi.json") { _ in document }
    }
}
