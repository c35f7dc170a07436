// Vapor 4 peer for Benchmarks/run.sh.
//
//   VaporBench --host 127.0.0.1 --port 18083 --public DIR \
//       [--json-body '{"status":"ok",...}'] [--json-content-type application/json]
//
// Serves DIR with Vapor's own FileMiddleware (ETag / 304 handled by it) and
// `GET /api/v1/bench/json` with a fixed body. Logging is off: every logger is bootstrapped at
// level critical and the per-request RouteLoggingMiddleware is not installed.

import Foundation
import Logging
import Vapor

struct Options {
    var host = "127.0.0.1"
    var port = 8080
    var publicDir = "public"
    var jsonBody = ProcessInfo.processInfo.environment["BENCH_JSON_BODY"]
        ?? #"{"status":"ok","service":"ferry","version":"0.1.0"}"#
    var jsonContentType = ProcessInfo.processInfo.environment["BENCH_JSON_CONTENT_TYPE"] ?? "application/json"

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 1
        func value() -> String {
            guard i + 1 < args.count else {
                FileHandle.standardError.write(Data("missing value for \(args[i])\n".utf8))
                exit(2)
            }
            i += 1
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--host", "--hostname": o.host = value()
            case "--port": o.port = Int(value()) ?? o.port
            case "--public": o.publicDir = value()
            case "--json-body": o.jsonBody = value()
            case "--json-content-type": o.jsonContentType = value()
            default:
                FileHandle.standardError.write(Data("unknown argument \(args[i])\n".utf8))
                exit(2)
            }
            i += 1
        }
        return o
    }
}

let options = Options.parse(CommandLine.arguments)

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .critical
    return handler
}

// Our own flags are parsed above; hand Vapor only its `serve` command.
let environment = Environment(
    name: "production",
    arguments: ["vapor-bench", "serve", "--hostname", options.host, "--port", String(options.port)]
)
let app = try await Application.make(environment)
app.logger.logLevel = .critical

var middleware = Middlewares()
middleware.use(ErrorMiddleware.default(environment: app.environment))
middleware.use(FileMiddleware(publicDirectory: options.publicDir))
app.middleware = middleware

let jsonBody = options.jsonBody
let jsonContentType = options.jsonContentType
app.get("api", "v1", "bench", "json") { _ -> Response in
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: jsonContentType)
    return Response(status: .ok, headers: headers, body: .init(string: jsonBody))
}

do {
    try await app.execute()
} catch {
    app.logger.critical("\(error)")
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
