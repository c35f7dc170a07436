/// The outcome of checking a request against its route's rule.
public enum AccessDecision: Sendable, Equatable {
    case allow
    /// No (valid) credential: 401.
    case unauthenticated
    /// Known but not allowed: 403, with the reason.
    case forbidden(String)
    /// Not allowed to know the thing exists (another team's id): 404.
    case hidden
}
