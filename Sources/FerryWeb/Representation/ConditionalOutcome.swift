/// What the conditional request headers decide, before any range handling.
public enum ConditionalOutcome: Sendable, Hashable {
    /// The preconditions hold (or there were none): perform the method.
    case proceed
    /// `304 Not Modified`: only ever for `GET` and `HEAD`.
    case notModified
    /// `412 Precondition Failed`.
    case preconditionFailed
}
