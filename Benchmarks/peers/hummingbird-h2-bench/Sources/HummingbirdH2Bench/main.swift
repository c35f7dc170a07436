// Hummingbird 2 HTTP/2 peer for Benchmarks/run-h2.sh.
//
//   HummingbirdH2Bench --port 18092 --public DIR [--json-body '{…}'] [--json-path /api/v1/version]
//                      [--tls-cert C --tls-key K]
//
// Without TLS it speaks HTTP/2 with prior knowledge (plaintextHTTP2); with TLS, ALPN h2 with an
// HTTP/1.1 fallback (http2Upgrade). Files through Hummingbird's FileMiddleware; a fixed JSON body
// at GET --json-path (default /api/v1/bench/json). Logging is off (level critical).

import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL

var port = 8080
var publicDir = "public"
var jsonBody = #"{"status":"ok","service":"ferry","version":"0.1.0"}"#
var jsonContentType = "application/json"
var jsonPath = "/api/v1/bench/json"
var certificate: String?
var key: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    guard let value = arguments.next() else {
        FileHandle.standardError.write(Data("missing value for \(argument)\n".utf8))
        exit(2)
    }
    switch argument {
    case "--port": port = Int(value) ?? port
    case "--public": publicDir = value
    case "--json-body": jsonBody = value
    case "--json-content-type": jsonContentType = value
    case "--json-path": jsonPath = value
    case "--tls-cert": certificate = value
    case "--tls-key": key = value
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

var logger = Logger(label: "hummingbird-h2-bench")
logger.logLevel = .critical
let jsonBuffer = ByteBuffer(string: jsonBody)
let contentType = jsonContentType

let router = Router()
router.addMiddleware { FileMiddleware(publicDir, searchForIndexHtml: false, logger: logger) }
router.get(RouterPath(jsonPath)) { _, _ -> Response in
    Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: jsonBuffer))
}

let server: HTTPServerBuilder
if let certificate, let key {
    var tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
    tls.applicationProtocols = ["h2", "http/1.1"]
    server = try .http2Upgrade(tlsConfiguration: tls)
} else {
    server = .plaintextHTTP2()
}
let app = Application(
    router: router,
    server: server,
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "Hummingbird"),
    logger: logger
)
try await app.runService()
