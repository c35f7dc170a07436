import FerryWeb
import Foundation

/// Drops: the tus endpoint, the drops API, masked paths (drop ids, upload ids) and the sweeper.
public struct DropsModule: FerryModule {
    public let service: DropService
    /// The API's path (`/api/v1`), for the secret paths under it.
    public let apiPath: String

    public init(service: DropService, apiPath: String) {
        self.service = service
        self.apiPath = apiPath
    }

    public func register(on routes: ModuleRoutes) {
        TusAPI(service: service).register(on: routes.api)
        DropsAPI(service: service).register(on: routes.api)
    }

    /// A drop id opens nothing without the link's secret, but it names a drop; neither it nor
    /// an upload id belongs in a log.
    public var secretPathPrefixes: [String] { ["/d/", apiPath + "/drops/", apiPath + "/uploads/"] }

    public var backgroundJobs: [BackgroundJob] {
        let service = self.service
        return [
            BackgroundJob(name: "sweep drops and uploads", every: service.configuration.sweepInterval) {
                try await service.sweep(now: service.clock())
            }
        ]
    }
}
