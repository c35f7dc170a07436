import FerryWeb
import Foundation

/// Teams and accounts: the JSON API, the server pages, the masked secret paths, the sweeper of
/// ended sessions and the navigation on error pages.
public struct IdentityModule: FerryModule {
    public let service: IdentityService
    public let gate: AccessGate
    public let pages: PageRenderer
    public let clock: @Sendable () -> Date
    /// The API's path (`/api/v1`), for the secret paths under it.
    public let apiPath: String

    public init(
        service: IdentityService, gate: AccessGate, pages: PageRenderer, apiPath: String,
        clock: @escaping @Sendable () -> Date
    ) {
        self.apiPath = apiPath
        self.service = service
        self.gate = gate
        self.pages = pages
        self.clock = clock
    }

    public func register(on routes: ModuleRoutes) {
        IdentityAPI(service: service, gate: gate).register(on: routes.api)
        IdentityPages(service: service, gate: gate, pages: pages).register(on: routes.site)
    }

    /// Setup tokens and invite codes travel in paths.
    public var secretPathPrefixes: [String] { ["/setup/", "/invite/", apiPath + "/invites/"] }

    public var pageTypes: [any Page.Type] { IdentityPages.pageTypes }

    /// Every HTML error page of a signed-in person keeps the navigation.
    public var errorPageContext: (any ErrorPageContext)? { SignedInErrorContext(gate: gate) }

    /// Hourly: deletes sessions that ended, so the table does not grow with every sign-in.
    public var backgroundJobs: [BackgroundJob] {
        let store = service.store
        let idleTimeout = service.configuration.sessionIdleTimeout
        let clock = self.clock
        return [
            BackgroundJob(name: "sweep ended sessions", every: .seconds(3600)) {
                let now = clock()
                try await store.deleteExpiredSessions(now: now, idleBefore: now.addingTimeInterval(-idleTimeout))
            }
        ]
    }
}
