// Ferry WebSocket peer for Benchmarks/run-websocket.py.
//
//   FerryWebSocketBench --host 127.0.0.1 --port 18091
//
// `GET /echo` upgrades (HTTP/1.1 101, or HTTP/2 extended CONNECT) to a WebSocket that echoes
// every message, through Ferry's engine and WebSocket sessions with their default limits
// (WebSocketConfiguration(): frames up to 256 KiB + 16 bytes, pings every 25 s, 4 MiB queued
// outbound at most). Logging is off (level critical).

import FerryHTTP
import FerryWeb
import Foundation
import Logging

var host = "127.0.0.1"
var port = 8080
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--host": host = arguments.next() ?? host
    case "--port": port = Int(arguments.next() ?? "") ?? port
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

var logger = Logger(label: "ferry-websocket-bench")
logger.logLevel = .critical

let webSocket = WebSocketConfiguration()
let router = RouterBuilder()
router.routes.onInline(.get, "/echo") { request in
    try WebSocketHandshake(request, subprotocols: []).response(configuration: webSocket, handler: EchoHandler())
}
// The benchmark opens thousands of idle sockets: the connection cap is raised here, as
// `ferry serve --max-connections` would.
let configuration = HTTPServerConfiguration(host: host, port: port, maxConnections: 100_000)
let responder = WebResponder(router: router.build(), errors: ErrorRenderer(pages: nil, logger: logger))
let server = HTTPServer(configuration: configuration, responder: responder, logger: logger)
let address = try await server.start()
print("listening on http://\(host):\(address.port ?? port)/echo")
// Serves until the process is ended (SIGTERM from the benchmark).
while true {
    try await Task.sleep(for: .seconds(3600))
}
