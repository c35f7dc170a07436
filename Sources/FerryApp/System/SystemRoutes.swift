import FerryWeb

/// Health, readiness and version: answered on the event loop, no I/O.
public enum SystemRoutes {
    struct Health: Encodable { var status: String }
    struct Version: Encodable {
        var name: String
        var version: String
    }

    /// `ready` tells whether the server can take traffic (its stores are open).
    static func register(on api: GatedRoutes, ready: @escaping @Sendable () -> Bool) {
        let health = try! Response.json(Health(status: "ok")).prepared()
        let version = try! Response.json(Version(name: FerryVersion.name, version: FerryVersion.current)).prepared()
        api.addPublic(.get, "/health") { _ in health }
        api.addPublic(.get, "/version") { _ in version }
        api.addPublic(.get, "/ready") { _ in
            guard ready() else {
                throw HTTPError(
                    .serviceUnavailable, detail: "The server is starting or stopping.", headers: [.retryAfter: "1"])
            }
            return try .json(Health(status: "ready"))
        }
    }
}
