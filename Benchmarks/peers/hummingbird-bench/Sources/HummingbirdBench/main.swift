// Hummingbird 2 peer for Benchmarks/run.sh.
//
//   HummingbirdBench --host 127.0.0.1 --port 18082 --public DIR \
//       [--json-body '{"status":"ok",...}'] [--json-content-type application/json]
//
// Serves DIR with Hummingbird's own FileMiddleware (ETag / Last-Modified / 304 handled by it) and
// `GET /api/v1/bench/json` with a fixed body. Logging is off (level critical).

import Foundation
import Hummingbird
import Logging
import NIOCore

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

var logger = Logger(label: "hummingbird-bench")
logger.logLevel = .critical

let jsonBuffer = ByteBuffer(string: options.jsonBody)
let jsonContentType = options.jsonContentType

let router = Router()
router.addMiddleware {
    FileMiddleware(options.publicDir, searchForIndexHtml: false, logger: logger)
}
router.get("/api/v1/bench/json") { _, _ -> Response in
    Response(
        status: .ok,
        headers: [.contentType: jsonContentType],
        body: .init(byteBuffer: jsonBuffer)
    )
}

let app = Application(
    router: router,
    configuration: .init(
        address: .hostname(options.host, port: options.port),
        serverName: "Hummingbird"
    ),
    logger: logger
)
try await app.runService()
