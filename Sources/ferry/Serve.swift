import ArgumentParser
import FerryApp
import FerryHTTP
import FerryServer
import FerryStore
import FerryWeb
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// `ferry serve`: runs the server until SIGINT/SIGTERM, then drains and exits 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Ferry server.")

    @Option(help: "Address to listen on (env FERRY_HOST).")
    var host: String = Environment.string("FERRY_HOST") ?? "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one (env FERRY_PORT).")
    var port: Int = Environment.int("FERRY_PORT") ?? 8080

    @Option(help: "Folder for Ferry's database and files (env FERRY_DATA).")
    var data: String = Environment.string("FERRY_DATA") ?? "./data"

    @Option(name: .customLong("public"), help: "Folder of the browser client (env FERRY_PUBLIC).")
    var publicDirectory: String = Environment.string("FERRY_PUBLIC") ?? "./Public"

    @Option(help: "Folder of the server page templates (env FERRY_TEMPLATES).")
    var templates: String = Environment.string("FERRY_TEMPLATES") ?? "./Templates"

    @Option(
        name: .customLong("database"),
        help:
            "The store: postgres://user:password@host:port/database, or sqlite:PATH (default: the SQLite file in --data) (env FERRY_DATABASE)."
    )
    var databaseOption: String?

    var database: String? { databaseOption ?? Environment.string("FERRY_DATABASE") }

    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "A proxy (address or CIDR) whose X-Forwarded-For/-Proto is believed; repeatable (env FERRY_TRUSTED_PROXIES, comma-separated)."
    )
    var trustedProxyOptions: [String] = []

    var trustedProxies: [String] {
        trustedProxyOptions.isEmpty
            ? (Environment.string("FERRY_TRUSTED_PROXIES") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty } : trustedProxyOptions
    }

    @Option(
        name: .customLong("stun"),
        help: "A STUN server for WebRTC, as stun:HOST:PORT; repeatable (env FERRY_STUN, comma-separated).")
    var stunOptions: [String] = []

    var stunURLs: [String] {
        stunOptions.isEmpty
            ? (Environment.string("FERRY_STUN") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty } : stunOptions
    }

    @Option(
        name: .customLong("turn"),
        help: "A TURN server (coturn) for peers that cannot connect directly, as turn:HOST:PORT (env FERRY_TURN).")
    var turnOption: String?
    var turn: String? { turnOption ?? Environment.string("FERRY_TURN") }

    @Option(
        name: .customLong("turn-secret"),
        help: "coturn's static-auth-secret: browsers get time-limited TURN credentials (env FERRY_TURN_SECRET).")
    var turnSecretOption: String?
    var turnSecret: String? { turnSecretOption ?? Environment.string("FERRY_TURN_SECRET") }

    @Option(
        help: """
            Seconds a paired guest's pass waits for its page to come back (a reload, a lost \
            connection); 0 ends a pairing with its page (env FERRY_GUEST_RECONNECT_GRACE).
            """)
    var guestReconnectGrace: Int =
        Environment.int("FERRY_GUEST_RECONNECT_GRACE") ?? Int(SignallingConfiguration().guestReconnectGrace)

    @Option(
        help: """
            The cost of new password hashes: log2 of scrypt's N, 10…20 (default 15: 32 MiB and about \
            130 ms on two cores; time it with `ferry admin password-cost`). Hashes made at a lower \
            cost are upgraded at their next sign-in (env FERRY_PASSWORD_COST, which the account \
            commands read too).
            """)
    var passwordCost: Int = PasswordCost.configured

    @Option(help: "trace, debug, info, notice, warning, error or critical (env FERRY_LOG_LEVEL).")
    var logLevel: String = Environment.string("FERRY_LOG_LEVEL") ?? "info"

    @Option(help: "on or off: one log line per request (env FERRY_ACCESS_LOG).")
    var accessLog: String = Environment.string("FERRY_ACCESS_LOG") ?? "on"

    @Flag(help: "Reload templates and re-index Public/ on change (env FERRY_DEV=1).")
    var dev: Bool = Environment.string("FERRY_DEV") == "1"

    @Option(help: "Seconds in-flight requests get to finish at shutdown (env FERRY_SHUTDOWN_DRAIN).")
    var shutdownDrain: Int = Environment.int("FERRY_SHUTDOWN_DRAIN") ?? 10

    @Option(help: "Most open connections (env FERRY_MAX_CONNECTIONS).")
    var maxConnections: Int = Environment.int("FERRY_MAX_CONNECTIONS") ?? 10_000

    @Option(help: "on or off: HTTP/2 without TLS (prior knowledge, Upgrade: h2c) (env FERRY_H2C).")
    var h2c: String = Environment.string("FERRY_H2C") ?? "on"

    @Option(help: "HTTP/2 streams a client may open at once (env FERRY_HTTP2_MAX_STREAMS).")
    var http2MaxStreams: Int = Environment.int("FERRY_HTTP2_MAX_STREAMS") ?? 128

    @Option(help: "HTTP/2 request-body bytes in flight per stream (env FERRY_HTTP2_WINDOW).")
    var http2Window: Int = Environment.int("FERRY_HTTP2_WINDOW") ?? 1024 * 1024

    @Option(
        name: .customLong("tls-cert"),
        help: "PEM certificate chain; with --tls-key the port serves HTTPS (env FERRY_TLS_CERT).")
    var tlsCertOption: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of the certificate (env FERRY_TLS_KEY).")
    var tlsKeyOption: String?

    @Option(
        name: .customLong("http-redirect-port"),
        help: "With TLS: a cleartext port that redirects to HTTPS (env FERRY_HTTP_REDIRECT_PORT).")
    var httpRedirectPortOption: Int?

    @OptionGroup(title: "Drops") var drops: DropOptions

    var tlsCert: String? { tlsCertOption ?? Environment.string("FERRY_TLS_CERT") }
    var tlsKey: String? { tlsKeyOption ?? Environment.string("FERRY_TLS_KEY") }
    var httpRedirectPort: Int? { httpRedirectPortOption ?? Environment.int("FERRY_HTTP_REDIRECT_PORT") }

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: data, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("--data \(data) is a file: it is the folder of Ferry's database and files")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["on", "off"].contains(accessLog) else { throw ValidationError("--access-log must be on or off") }
        guard shutdownDrain >= 0 else { throw ValidationError("--shutdown-drain must not be negative") }
        guard (0...86_400).contains(guestReconnectGrace) else {
            throw ValidationError("--guest-reconnect-grace must be 0…86400 seconds")
        }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        _ = try PasswordCost.parameters(passwordCost, option: "--password-cost")
        guard ["on", "off"].contains(h2c) else { throw ValidationError("--h2c must be on or off") }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if let httpRedirectPort {
            guard tlsCert != nil else { throw ValidationError("--http-redirect-port needs --tls-cert and --tls-key") }
            guard (0...65_535).contains(httpRedirectPort), httpRedirectPort != port || port == 0 else {
                throw ValidationError("--http-redirect-port must be 0…65535 and differ from --port")
            }
        }
        if let database { _ = try Self.parseDatabase(database) }
        for proxy in trustedProxies where IPAddressRange(proxy) == nil {
            throw ValidationError("--trusted-proxy \(proxy) is not an IP address or CIDR range")
        }
        for url in stunURLs where !(url.hasPrefix("stun:") || url.hasPrefix("stuns:")) {
            throw ValidationError("--stun \(url) must start with stun: or stuns:")
        }
        if let turn {
            guard turn.hasPrefix("turn:") || turn.hasPrefix("turns:") else {
                throw ValidationError("--turn \(turn) must start with turn: or turns:")
            }
            guard let turnSecret, !turnSecret.isEmpty else { throw ValidationError("--turn needs --turn-secret") }
        } else if turnSecret != nil {
            throw ValidationError("--turn-secret needs --turn")
        }
        guard (1...10_000).contains(http2MaxStreams) else {
            throw ValidationError("--http2-max-streams must be 1…10000")
        }
        // RFC 9113 §6.5.2: SETTINGS_INITIAL_WINDOW_SIZE is at most 2^31-1.
        guard (1...Int(Int32.max)).contains(http2Window) else {
            throw ValidationError("--http2-window must be 1…2147483647")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "ferry")
        logger.logLevel = level

        var http = HTTPServerConfiguration(host: host, port: port)
        http.shutdownDrainTime = .seconds(Int64(shutdownDrain))
        http.maxConnections = maxConnections
        http.http2Cleartext = h2c == "on"
        http.http2MaxConcurrentStreams = http2MaxStreams
        http.http2InitialWindowSize = http2Window
        http.http2ConnectionWindowSize = max(http.http2ConnectionWindowSize, http2Window)
        var configuration = FerryConfiguration(
            http: http, dataDirectory: data, publicDirectory: publicDirectory, templatesDirectory: templates,
            logLevel: level, developmentMode: dev, accessLog: accessLog == "on", tlsCertificatePath: tlsCert,
            tlsKeyPath: tlsKey, httpRedirectPort: httpRedirectPort, database: try database.map(Self.parseDatabase),
            trustedProxies: trustedProxies.compactMap(IPAddressRange.init))
        configuration.signalling.stunURLs = stunURLs
        configuration.signalling.turnURL = turn
        configuration.signalling.turnSecret = turnSecret
        configuration.signalling.guestReconnectGrace = TimeInterval(guestReconnectGrace)
        configuration.identity.passwordParameters = try PasswordCost.parameters(passwordCost, option: "--password-cost")
        if let warning = PasswordCost.warning(configuration.identity.passwordParameters) {
            logger.warning("\(warning)")
        }
        drops.apply(to: &configuration)

        let server: FerryServer
        do {
            server = try await FerryServer(configuration: configuration, logger: logger)
        } catch {
            // Not a usage mistake: exit status 1 and the reason, without the usage text.
            throw CommandFailure(message: "cannot start: \(error)")
        }
        let scheme = configuration.usesTLS ? "https" : "http"
        let usesTLS = configuration.usesTLS
        let setupLogger = logger
        let service = FerryService(server: server) { address in
            let shownHost = address.protocol == .inet6 ? "[\(address.ipAddress ?? host)]" : (address.ipAddress ?? host)
            var line =
                "Ferry \(Ferry.configuration.version) listening on \(scheme)://\(shownHost):\(address.port ?? port)\n"
            if let redirect = server.redirectAddress {
                line += "Redirecting http://\(shownHost):\(redirect.port ?? 0) to HTTPS\n"
            }
            if !usesTLS, !Self.isLoopback(address.ipAddress ?? host) {
                // Browsers give WebCrypto (keys, encryption) only to https and localhost pages.
                line +=
                    "Note: browsers on other computers need https to use Ferry (its encryption runs in the"
                    + " browser): serve with --tls-cert and --tls-key (see: ferry tls), or behind a proxy that"
                    + " terminates TLS. Plain http works on this computer at http://localhost.\n"
            }
            let base =
                "\(scheme)://\(shownHost == "0.0.0.0" || shownHost == "[::]" ? "localhost" : shownHost):\(address.port ?? port)"
            do {
                if let link = try await server.setupLink(base: base) {
                    line += """

                        No account exists yet. Open this one-time link to create the first admin and team:
                          \(link)
                        (or run: ferry admin create)

                        """
                }
            } catch {
                setupLogger.error("cannot issue the setup link", metadata: ["error": "\(error)"])
            }
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let reloads = configuration.usesTLS ? Self.reloadTLSOnHangup(server, logger: logger) : nil
        defer { reloads?.cancel() }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
            let ports = httpRedirectPort.map { "port \(port) (or the redirect port \($0))" } ?? "port \(port)"
            throw CommandFailure(
                message: error.errnoCode == EADDRINUSE
                    ? "cannot listen on \(host), \(ports): another program uses it. Stop it, or choose another --port."
                    : "cannot listen on \(host), \(ports): not allowed (ports below 1024 need privileges).")
        }
    }

    static func parseDatabase(_ text: String) throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(parsing: text)
        } catch {
            throw ValidationError("--database: \(error)")
        }
    }

    /// SIGHUP re-reads the certificate and key; a bad pair is logged and the old one kept.
    /// Whether browsers treat pages from this listening address as on this computer (a secure
    /// context without TLS): 127.0.0.0/8, ::1, localhost.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    private static func reloadTLSOnHangup(_ server: FerryServer, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                try server.reloadTLS()
                logger.notice("TLS certificate and key reloaded")
            } catch {
                logger.error("TLS reload failed; keeping the current certificate", metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}
