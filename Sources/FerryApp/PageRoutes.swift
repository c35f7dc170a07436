import FerryWeb

/// Server-rendered pages.
public enum PageRoutes {
    /// The home page (`Templates/index.mustache`).
    struct IndexPage: Page {
        static let template = "index"
        let title = "Ferry"
        var values: [String: any Sendable] { [:] }
    }

    /// Every page type the app renders, for the start-up check.
    public static let pages: [any Page.Type] = [IndexPage.self]

    public static func register(on routes: RouteGroup, pages: PageRenderer) {
        routes.onInline(.get, "/") { _ in
            try pages.render(IndexPage())
        }
    }
}
