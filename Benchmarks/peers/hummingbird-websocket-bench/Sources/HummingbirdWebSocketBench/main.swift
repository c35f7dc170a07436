// Hummingbird WebSocket peer for Benchmarks/run-websocket.py.
//
//   HummingbirdWebSocketBench --host 127.0.0.1 --port 18090
//
// `GET /echo` upgrades to a WebSocket that sends every message back as it came (text as text,
// binary as binary). Limits are set like Ferry's defaults (frames up to 256 KiB + 16 bytes, a
// ping every 25 s, UTF-8 of text validated) so both servers do the same work per message.
// Logging is off (level critical).

import Foundation
import Hummingbird
import HummingbirdWebSocket
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

var logger = Logger(label: "hummingbird-websocket-bench")
logger.logLevel = .critical

let maxMessage = 256 * 1024 + 16
let router = Router(context: BasicWebSocketRequestContext.self)
router.ws("/echo") { inbound, outbound, _ in
    for try await message in inbound.messages(maxSize: maxMessage) {
        switch message {
        case .text(let text): try await outbound.write(.text(text))
        case .binary(let bytes): try await outbound.write(.binary(bytes))
        }
    }
}

let app = Application(
    router: Router(),
    server: .http1WebSocketUpgrade(
        webSocketRouter: router,
        configuration: .init(maxFrameSize: maxMessage, autoPing: .enabled(timePeriod: .seconds(25)), validateUTF8: true)
    ),
    configuration: .init(address: .hostname(host, port: port), serverName: nil),
    logger: logger
)
try await app.runService()
