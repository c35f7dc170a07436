import FerryWeb
import Foundation

/// Drops: the tus endpoint, the drops API, the two drop pages, masked paths (drop ids, upload
/// ids) and the sweeper.
public struct DropsModule: FerryModule {
    public let service: DropService
    /// The API's path (`/api/v1`), for the secret paths under it.
    public let apiPath: String
    public let gate: AccessGate
    public let pages: PageRenderer

    public init(service: DropService, apiPath: String, gate: AccessGate, pages: PageRenderer) {
        self.service = service
        self.apiPath = apiPath
        self.gate = gate
        self.pages = pages
    }

    public func register(on routes: ModuleRoutes) {
        TusAPI(service: service).register(on: routes.api)
        DropsAPI(service: service).register(on: routes.api)
        let gate = self.gate
        let pages = self.pages
        let service = self.service
        // The pages are shells: the browser encrypts, lists and decrypts through the JSON API.
        routes.site.on(.get, "/drops") { request in
            let call = try await gate.identify(request)
            guard let principal = IdentityPages.session(call) else { return IdentityPages.signInFirst(call) }
            var response = try pages.render(
                DropsPage(
                    state: PageState(principal: principal, section: .drops),
                    defaultLifetime: service.configuration.defaultDropLifetime,
                    maxLifetime: service.configuration.maxDropLifetime))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        // Public: the link's key is in the fragment, which never reaches the server; the id in the
        // path is only read by the page's module, so the page is the same for every drop.
        routes.site.on(.get, "/d/:dropID") { request in
            let call = try await gate.identify(request)
            var response = try pages.render(DropOpenPage(state: PageState(principal: call.principal)))
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    /// A drop id opens nothing without the link's secret, but it names a drop; neither it nor
    /// an upload id belongs in a log.
    public var secretPathPrefixes: [String] { ["/d/", apiPath + "/drops/", apiPath + "/uploads/"] }

    public var pageTypes: [any Page.Type] { [DropsPage.self, DropOpenPage.self] }

    public var backgroundJobs: [BackgroundJob] {
        let service = self.service
        return [
            BackgroundJob(name: "sweep drops and uploads", every: service.configuration.sweepInterval) {
                try await service.sweep(now: service.clock())
            }
        ]
    }
}
