/// The SQL dialect behind a ``Database``; migrations and a few queries differ by it.
public enum DatabaseBackend: String, Sendable {
    case sqlite
    case postgres
}
