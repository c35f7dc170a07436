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
    /// PEM certificate chain and private key: with both, the port serves TLS (HTTP/2 and
    /// HTTP/1.1 by ALPN) instead of cleartext.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// With TLS: a cleartext port that redirects every request to HTTPS.
    public var httpRedirectPort: Int?

    /// Whether the main port serves TLS.
    public var usesTLS: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }

    public init(
        http: HTTPServerConfiguration = HTTPServerConfiguration(),
        web: WebConfiguration = WebConfiguration(),
        dataDirectory: String = "./data",
        publicDirectory: String = "./Public",
        templatesDirectory: String = "./Templates",
        logLevel: Logger.Level = .info,
        developmentMode: Bool = false,
        accessLog: Bool = true,
        tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil,
        httpRedirectPort: Int? = nil
    ) {
        self.http = http
        self.web = web
        self.dataDirectory = dataDirectory
        self.publicDirectory = publicDirectory
        self.templatesDirectory = templatesDirectory
        self.logLevel = logLevel
        self.developmentMode = developmentMode
        self.accessLog = accessLog
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.httpRedirectPort = httpRedirectPort
    }
}
