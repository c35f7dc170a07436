import FerryWeb

/// Where a module registers: the JSON API behind the access gate, and the site's own paths
/// (pages, files).
public struct ModuleRoutes {
    /// `/api/v1` (configuration), every route with its access rule and body limit.
    public let api: GatedRoutes
    /// The site root, for pages and other non-API routes.
    public let site: RouteGroup

    public init(api: GatedRoutes, site: RouteGroup) {
        self.api = api
        self.site = site
    }
}
