import FerryWeb

/// A feature as the composition root sees it. Every feature comes in this one way: it registers
/// its routes (API routes through the access gate, each with its rule and body limit), names the
/// paths whose segments are secrets, lists its page types and its background jobs, says what error
/// pages show, reads back what it keeps in the store at start, and closes what it holds open at
/// shutdown. `FerryServer` only lists modules and loops over them.
public protocol FerryModule: Sendable {
    /// Registers the module's routes, once, at start.
    func register(on routes: ModuleRoutes)
    /// Path prefixes whose remainder is a secret (setup tokens, invite codes): the access log
    /// writes the prefix and masks the rest.
    var secretPathPrefixes: [String] { get }
    /// The module's server pages, checked against the templates at start.
    var pageTypes: [any Page.Type] { get }
    /// Work that repeats while the server runs (sweepers).
    var backgroundJobs: [BackgroundJob] { get }
    /// What HTML error pages show besides the error (the navigation of a signed-in person); the
    /// first module that has one provides it.
    var errorPageContext: (any ErrorPageContext)? { get }
    /// Called once before the server takes requests: state kept in the store is read back.
    func start() async throws
    /// Called when shutdown begins, before connections drain: long-lived sockets are told to go.
    func beginShutdown() async
}

extension FerryModule {
    public var secretPathPrefixes: [String] { [] }
    public var pageTypes: [any Page.Type] { [] }
    public var backgroundJobs: [BackgroundJob] { [] }
    public var errorPageContext: (any ErrorPageContext)? { nil }
    public func start() async throws {}
    public func beginShutdown() async {}
}
