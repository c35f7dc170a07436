/// A route's handler after middleware composition, with its per-route settings.
struct Endpoint: Sendable {
    let handler: RouteHandler
    /// The pattern it was registered with; the metrics label (bounded cardinality, unlike paths).
    let pattern: String
    let maxBodySize: Int
}
