import FerryApp
import FerryHTTP
import FerryStore
import FerryWeb
import Foundation
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
    /// The store: nil means the embedded SQLite file `ferry.sqlite` in ``dataDirectory``.
    public var database: DatabaseLocation?
    /// Sessions, tokens, invites, sign-in limits, password cost.
    public var identity: IdentityConfiguration
    /// The discovery server: signalling limits, relays, ICE (STUN/TURN), pairing.
    public var signalling = SignallingConfiguration()
    /// Drops: sizes, quotas, lifetimes, the sweeper.
    public var drops = DropsConfiguration()
    /// Where drops keep their bytes: nil means `blobs/` in ``dataDirectory``. May be another
    /// file system than the database's.
    public var blobsDirectory: String?
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    public var trustedProxies: [IPAddressRange]
    /// Where the JSON API lives; must lie under ``WebConfiguration/apiPathPrefix`` so its
    /// errors are problem+json.
    public var apiPath: String = "/api/v1"
    /// The time, for sessions, tokens and invites (tests move it forward).
    public var clock: @Sendable () -> Date

    /// Where the store is.
    public var databaseLocation: DatabaseLocation {
        database ?? .defaultSQLite(dataDirectory: dataDirectory)
    }

    public var blobsLocation: String { blobsDirectory ?? dataDirectory + "/blobs" }

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
        httpRedirectPort: Int? = nil,
        database: DatabaseLocation? = nil,
        identity: IdentityConfiguration = IdentityConfiguration(),
        trustedProxies: [IPAddressRange] = [],
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.identity = identity
        self.trustedProxies = trustedProxies
        self.clock = clock
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
