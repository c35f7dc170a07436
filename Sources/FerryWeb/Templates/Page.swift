/// A server-rendered page: a Swift type that names its template and supplies its values, so pages
/// are rendered from typed data rather than loose dictionaries, and every page's template can be
/// checked at start.
public protocol Page: Sendable {
    /// The template's name in `Templates/` (without `.mustache`).
    static var template: String { get }
    /// The document title.
    var title: String { get }
    /// The values the template reads, by name.
    var values: [String: any Sendable] { get }
}
