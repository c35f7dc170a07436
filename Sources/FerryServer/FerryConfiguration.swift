import FerryHTTP
import FerryWeb
import Logging

/// Everything `ferry serve` can be told, with defaults that need no configuration.
public struct FerryConfiguration: Sendable {
    public var http: HTTPServerConfiguration
    public var web: WebConfiguration
    public var dataDirectory: String
    public var publicDirectory: String
    public var templatesDirectory: String
    public var logLevel: Logger.Level
    /// Reload templates and re-index `Public/` on change.
    public var developmentMode: Bool
    /// One structured line per request at info level.
    public var accessLog: Bool

    public init(
        http: HTTPServerConfiguration = HTTPServerConfiguration(),
        web: WebConfiguration = WebConfiguration(),
        dataDirectory: String = "./data",
        publicDirectory: String = "./Public",
        templatesDirectory: String = "./Templates",
        logLevel: Logger.Level = .info,
        developmentMode: Bool = false,
        accessLog: Bool = true
    ) {
        self.http = http
        self.web = web
        self.dataDirectory = dataDirectory
        self.publicDirectory = publicDirectory
        self.templatesDirectory = templatesDirectory
        self.logLevel = logLevel
        self.developmentMode = developmentMode
        self.accessLog = accessLog
    }
}
