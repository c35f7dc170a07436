import FerryWeb

/// The discovery server: the signalling socket, devices, ICE, pairing; a job that follows
/// identity changes (and sweeps idle relays); sockets told to go at shutdown.
public struct SignallingModule: FerryModule {
    public let hub: SignallingHub

    public init(hub: SignallingHub) {
        self.hub = hub
    }

    public func register(on routes: ModuleRoutes) {
        SignallingAPI(hub: hub).register(on: routes.api)
    }

    public var backgroundJobs: [BackgroundJob] {
        let hub = self.hub
        return [
            BackgroundJob(name: "re-check signalling peers", every: hub.configuration.identityRecheckInterval) {
                try await hub.recheckIdentities()
                await hub.sweepRelays()
            }
        ]
    }

    public func beginShutdown() async {
        hub.closeAll()
    }
}
