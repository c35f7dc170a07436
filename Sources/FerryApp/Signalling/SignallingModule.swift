import FerryWeb

/// The discovery server: the signalling socket, devices, ICE, pairing; a job that follows
/// identity changes, one that sweeps idle relays and one that ends guests gone too long; the
/// guests' passes read back at start; sockets told to go at shutdown.
public struct SignallingModule: FerryModule {
    public let hub: SignallingHub
    public let gate: AccessGate
    public let pages: PageRenderer

    public init(hub: SignallingHub, gate: AccessGate, pages: PageRenderer) {
        self.hub = hub
        self.gate = gate
        self.pages = pages
    }

    public func register(on routes: ModuleRoutes) {
        SignallingAPI(hub: hub).register(on: routes.api)
        let gate = self.gate
        let pages = self.pages
        let hub = self.hub
        routes.site.on(.get, "/pair") { request in
            let call = try await gate.identify(request)
            // As the gate does: a signed-in member is a member here, whatever guest cookie is left.
            let pass = call.principal == nil ? gate.guests.pass(for: request, scheme: call.scheme) : nil
            var response = try pages.render(
                PairPage(
                    state: PageState(principal: call.principal), pairedWith: pass?.memberName,
                    pairingID: pass?.pairingID,
                    reconnectGrace: hub.configuration.guestReconnectGrace, lifetime: hub.configuration.guestLifetime))
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    public var pageTypes: [any Page.Type] { [PairPage.self] }

    public var backgroundJobs: [BackgroundJob] {
        let hub = self.hub
        return [
            // Also a session or token that runs out, which changes nothing in the store: its
            // sockets are checked again when it does (one timer for both: an idle server wakes
            // once a second, not twice).
            BackgroundJob(
                name: "re-check signalling peers", every: hub.configuration.identityRecheckInterval,
                when: { hub.identityMayHaveChanged() || !hub.sessionsPastTheirCredential().isEmpty }
            ) {
                if hub.identityMayHaveChanged() { try await hub.recheckIdentities() }
                await hub.recheckExpiredCredentials()
            },
            // Relays idle for a minute close: a sweep every 5 s is soon enough, and wakes less.
            BackgroundJob(name: "sweep idle relays", every: .seconds(5), when: { hub.relays.hasWork }) {
                await hub.sweepRelays()
            },
            // A guest gone for its grace time ends; seconds late is fine.
            BackgroundJob(name: "end away guests", every: .seconds(5), when: { hub.guestsNeedSweep }) {
                await hub.sweepGuests()
            },
        ]
    }

    /// Guests paired before a restart are paired again (their passes are in the store).
    public func start() async throws {
        try await hub.restoreGuests()
    }

    public func beginShutdown() async {
        hub.closeAll()
        await hub.forgetEndedPasses()
    }
}
