import FerryWeb

/// Server-rendered pages.
public enum PageRoutes {
    public static func register(on routes: RouteGroup, pages: PageRenderer) {
        routes.onInline(.get, "/") { _ in
            try pages.render("index", title: "Ferry")
        }
    }
}
