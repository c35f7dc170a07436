/// What an HTML error page shows besides the error, worked out per request by the application:
/// for a signed-in person, the site's navigation, so an error anywhere (an address no page has, a
/// page they may not see) is not a dead end. `ErrorRenderer` asks for it only for HTML pages.
public protocol ErrorPageContext: Sendable {
    /// Whether `request` may have anything to show (cheap and synchronous, e.g. it carries a
    /// session cookie). When false the error is answered without waiting for anything.
    func applies(to request: Request) -> Bool
    /// Values merged into the error page's own (`Templates/error.mustache` and its partials). Never
    /// throws: what cannot be found is left out, and the page is the plain one.
    func values(for request: Request) async -> [String: any Sendable]
}
