import FerryApp
import FerryBlobStore
import FerryHTTP
import FerryStore
import FerryWeb
import Foundation
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Prometheus

/// The composition root: wires the engine, the web layer and the app together. The CLI and the
/// live tests start Ferry through this type, so both run exactly the same server.
public final class FerryServer: Sendable {
    public let configuration: FerryConfiguration
    public let staticFiles: StaticFiles
    public let metrics: HTTPMetrics
    private let http: HTTPServer
    /// With TLS and a redirect port: the cleartext server that sends clients to HTTPS.
    private let redirect: HTTPServer?
    private let tls: TLSContextProvider?
    private let boundPort = NIOLockedValueBox<Int?>(nil)
    private let logger: Logger
    private let ready = NIOLockedValueBox(false)
    private let watcher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let accessLogSink: BufferedLogSink?
    /// The store, open for the server's whole life.
    public let database: Database
    public let identity: IdentityService
    /// Drops and their uploads.
    public let drops: DropService
    /// The JSON API's routes as registered, for checks against the OpenAPI document.
    public let apiRoutes: [APIRoute]
    /// Every route the router knows, as `(method, pattern)` with `:name` parameters.
    public let routePatterns: [(method: HTTPRequest.Method, pattern: String)]
    /// The features, in registration order (the catch-all file route last).
    private let modules: [any FerryModule]
    private let jobs = NIOLockedValueBox<[BackgroundJobRunner]>([])

    /// Checks the folders and templates, opens and migrates the store, and wires the routes.
    /// Nothing listens until ``start()``.
    public init(configuration: FerryConfiguration, logger: Logger? = nil) async throws {
        var logger = logger ?? Logger(label: "ferry")
        logger.logLevel = configuration.logLevel
        self.configuration = configuration
        self.logger = logger
        // Private when made here: the database holds password hashes and the audit log.
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])

        let staticFiles = try StaticFiles(root: configuration.publicDirectory)
        self.staticFiles = staticFiles
        let templates = try TemplateRenderer(
            directory: configuration.templatesDirectory, reloadsOnRender: configuration.developmentMode)
        let pages = PageRenderer(templates: templates, assets: { staticFiles.manifest }, version: FerryVersion.current)
        // Everything that can refuse to start is checked before the store opens, so a bad
        // certificate never leaves connections behind. After this point nothing throws.
        var tls: TLSContextProvider?
        if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            tls = try TLSContextProvider(certificatePath: certificate, keyPath: key)
        }
        self.tls = tls

        var storeLogger = logger
        storeLogger.logLevel = max(.warning, configuration.logLevel)
        let database = try await Database.open(configuration.databaseLocation, logger: storeLogger)
        do {
            let applied = try await Migrator().migrate(database)
            if !applied.isEmpty {
                logger.notice("store migrated", metadata: ["versions": "\(applied)", "store": "\(database.location)"])
            }
        } catch {
            await database.close()
            throw error
        }
        self.database = database
        let store = IdentityStore(database: database)
        let identity = IdentityService(store: store, configuration: configuration.identity)
        self.identity = identity
        let addresses = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        let authenticator = Authenticator(
            store: store, configuration: configuration.identity, cache: identity.cache, clock: configuration.clock)
        let guests = GuestDirectory(clock: configuration.clock)
        let gate = AccessGate(authenticator: authenticator, addresses: addresses, service: identity, guests: guests)
        let signalling = SignallingHub(
            configuration: configuration.signalling, devices: DeviceStore(database: database), identity: identity,
            authenticator: authenticator, guests: guests, passes: GuestPassStore(database: database))

        let drops: DropService
        do {
            drops = DropService(
                store: DropStore(database: database), blobs: try LocalDiskBlobStore(root: configuration.blobsLocation),
                configuration: configuration.drops, clock: configuration.clock)
        } catch {
            await database.close()
            throw error
        }
        self.drops = drops

        let registry = PrometheusCollectorRegistry()
        let connectionCount = NIOLockedValueBox<(@Sendable () -> Int)?>(nil)
        // One byte count for the served port and its redirect port: both are client sockets.
        let traffic = NetworkTraffic()
        let metrics = HTTPMetrics(registry: registry, traffic: traffic) {
            connectionCount.withLockedValue { $0?() ?? 0 }
        }
        self.metrics = metrics

        let ready = self.ready
        let modules: [any FerryModule] = [
            SystemModule(ready: { ready.withLockedValue { $0 } }),
            IdentityModule(
                service: identity, gate: gate, pages: pages, apiPath: configuration.apiPath,
                clock: configuration.clock),
            SignallingModule(hub: signalling, gate: gate, pages: pages),
            DropsModule(service: drops, apiPath: configuration.apiPath, gate: gate, pages: pages),
            MetricsModule(metrics: metrics),
            PublicFilesModule(staticFiles: staticFiles),
        ]
        self.modules = modules
        do {
            try pages.verify(PageRenderer.builtInPages + modules.flatMap(\.pageTypes))
        } catch {
            await database.close()
            throw error
        }
        let router = RouterBuilder()
        let api = GatedRoutes(group: router.group(configuration.apiPath), gate: gate)
        let routes = ModuleRoutes(api: api, site: router.routes)
        for module in modules { module.register(on: routes) }
        self.apiRoutes = api.entries
        do {
            for module in modules { try await module.start() }
        } catch {
            await database.close()
            throw error
        }

        var observers: [any ExchangeObserver] = [metrics]
        if configuration.accessLog {
            // Buffered and written off the event loops: a synchronous write per request would
            // cost a third of the throughput and stall serving behind a slow terminal.
            let sink = BufferedLogSink()
            self.accessLogSink = sink
            var accessLogger = Logger(label: "ferry.access") { label in BufferedLogHandler(label: label, sink: sink) }
            accessLogger.logLevel = configuration.logLevel
            observers.append(
                AccessLog(logger: accessLogger, secretPathPrefixes: modules.flatMap(\.secretPathPrefixes)))
        } else {
            self.accessLogSink = nil
        }
        self.routePatterns = router.patterns
        let responder = WebResponder(
            router: router.build(),
            errors: ErrorRenderer(
                pages: pages, logger: logger, context: modules.lazy.compactMap(\.errorPageContext).first),
            configuration: configuration.web, observers: observers)
        let http = HTTPServer(
            configuration: configuration.http, responder: responder, tls: tls, logger: logger, traffic: traffic)
        self.http = http
        if tls != nil, let redirectPort = configuration.httpRedirectPort {
            var redirectConfiguration = configuration.http
            redirectConfiguration.port = redirectPort
            let boundPort = self.boundPort
            let target = HTTPSRedirectResponder { boundPort.withLockedValue { $0 } ?? configuration.http.port }
            self.redirect = HTTPServer(
                configuration: redirectConfiguration, responder: target, logger: logger, traffic: traffic)
        } else {
            self.redirect = nil
        }
        connectionCount.withLockedValue { $0 = { http.openConnections } }
    }

    /// Re-reads the TLS certificate and key (SIGHUP). Open connections keep the old ones; on
    /// failure nothing changes and the error says why.
    public func reloadTLS() throws {
        try tls?.reload()
    }

    /// The redirect server's address, once started.
    public private(set) var redirectAddress: SocketAddress? {
        get { redirectAddressBox.withLockedValue { $0 } }
        set { redirectAddressBox.withLockedValue { $0 = newValue } }
    }
    private let redirectAddressBox = NIOLockedValueBox<SocketAddress?>(nil)

    /// Binds the socket; returns the address (with the real port when 0 was asked).
    public func start() async throws -> SocketAddress {
        let address = try await http.start()
        boundPort.withLockedValue { $0 = address.port }
        if let redirect { redirectAddress = try await redirect.start() }
        ready.withLockedValue { $0 = true }
        if configuration.developmentMode { startWatching() }
        startJobs()
        return address
    }

    /// Stops accepting, drains in-flight requests within the configured time, closes the rest.
    public func shutdown() async {
        ready.withLockedValue { $0 = false }
        watcher.withLockedValue { $0?.cancel() }
        for module in modules { await module.beginShutdown() }
        async let redirected: Void = redirect?.shutdownGracefully() ?? ()
        await http.shutdownGracefully()
        await redirected
        for job in jobs.withLockedValue({ $0 }) { await job.stop() }
        await database.close()
        accessLogSink?.stop()
    }

    /// While no user exists: a new one-time link to create the first admin (the previous link
    /// stops working). Nil once Ferry is set up.
    public func setupLink(base: String) async throws -> String? {
        guard let token = try await identity.issueSetupToken(now: configuration.clock()) else { return nil }
        return "\(base)/setup/\(token)"
    }

    /// Runs each module's background jobs at start and then at their interval, on the timers of
    /// one event loop (a timer wake-up costs far less than a sleeping task's).
    private func startJobs() {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let runners = modules.flatMap(\.backgroundJobs).map { job in
            BackgroundJobRunner(job: job, on: loop, logger: logger)
        }
        jobs.withLockedValue { $0 = runners }
        for runner in runners { runner.start() }
    }

    /// `--dev`: re-index `Public/` once a second when something in it changed.
    private func startWatching() {
        let staticFiles = self.staticFiles
        let logger = self.logger
        let root = configuration.publicDirectory
        let task = Task {
            var last = Self.fingerprint(of: root)
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                let current = Self.fingerprint(of: root)
                guard current != last else { continue }
                last = current
                do {
                    try staticFiles.reload()
                    logger.info("Public/ changed; re-indexed")
                } catch {
                    logger.error("re-indexing Public/ failed", metadata: ["error": "\(error)"])
                }
            }
        }
        watcher.withLockedValue { $0 = task }
    }

    /// Paths, sizes and modification times of everything under `root`.
    static func fingerprint(of root: String) -> [String: String] {
        var result: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return result }
        for case let path as String in enumerator {
            let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + path)
            result[path] = "\(attributes?[.size] ?? 0) \(attributes?[.modificationDate] ?? 0)"
        }
        return result
    }
}
