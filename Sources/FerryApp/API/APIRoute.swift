import HTTPTypes

/// One route of the JSON API as documented: its method, its path in OpenAPI form
/// (`/teams/{teamID}`), and who may call it.
public struct APIRoute: Sendable, Hashable {
    public var method: HTTPRequest.Method
    public var path: String
    public var rule: AccessRule
    /// A team-owner route that a member may also call on themself (leaving a team).
    public var allowsSelf: Bool

    /// The router's pattern: `{name}` becomes `:name`.
    var routerPattern: String {
        path.replacing("{", with: ":").replacing("}", with: "")
    }
}
