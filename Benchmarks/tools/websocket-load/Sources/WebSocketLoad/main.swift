// WebSocket echo load for Benchmarks/run-websocket.py.
//
//   WebSocketLoad --port 18091 [--host 127.0.0.1] [--path /echo] [--connections 16] [--depth 8]
//                 [--size 64] [--binary] [--warmup 1] [--seconds 5] [--threads 1]
//
// Opens the connections, lets them run `--warmup` seconds, then counts the echoed messages and
// payload bytes received over `--seconds` and prints one JSON line:
//   {"messages": M, "bytes": B, "seconds": S, "open": O, "failed": F}
// Every client frame is masked (RFC 6455 §5.3) with one fixed key: the frame is built once and
// written again and again, so the client spends almost nothing per message.

import Foundation
import NIOCore
import NIOPosix

var host = "127.0.0.1"
var port = 8080
var path = "/echo"
var connections = 16
var depth = 8
var size = 64
var binary = false
var warmup = 1.0
var seconds = 5.0
var threads = 1
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    func value() -> String { arguments.next() ?? "" }
    switch argument {
    case "--host": host = value()
    case "--port": port = Int(value()) ?? port
    case "--path": path = value()
    case "--connections": connections = Int(value()) ?? connections
    case "--depth": depth = Int(value()) ?? depth
    case "--size": size = Int(value()) ?? size
    case "--binary": binary = true
    case "--warmup": warmup = Double(value()) ?? warmup
    case "--seconds": seconds = Double(value()) ?? seconds
    case "--threads": threads = Int(value()) ?? threads
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

/// One masked client frame carrying `size` bytes ('a' for text), built once.
func maskedFrame(size: Int, binary: Bool) -> ByteBuffer {
    let key: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]
    var frame = ByteBuffer()
    frame.writeInteger(UInt8(0x80 | (binary ? 0x2 : 0x1)))
    if size < 126 {
        frame.writeInteger(UInt8(0x80 | size))
    } else if size <= 0xFFFF {
        frame.writeInteger(UInt8(0x80 | 126))
        frame.writeInteger(UInt16(size))
    } else {
        frame.writeInteger(UInt8(0x80 | 127))
        frame.writeInteger(UInt64(size))
    }
    frame.writeBytes(key)
    frame.writeBytes((0..<size).map { UInt8(ascii: "a") ^ key[$0 % 4] })
    return frame
}

let request = ByteBuffer(
    string: "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
let frame = maskedFrame(size: size, binary: binary)
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let counters = (0..<connections).map { _ in ConnectionCounters() }
let bootstrap = ClientBootstrap(group: group).channelOption(.socketOption(.tcp_nodelay), value: 1)
var channels: [any Channel] = []
for counter in counters {
    let channel = try await bootstrap.channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                EchoLoadHandler(request: request, frame: frame, depth: depth, counters: counter))
        }
    }.connect(host: host, port: port).get()
    channels.append(channel)
}

func totals() -> (messages: Int, bytes: Int) {
    counters.reduce((0, 0)) { ($0.0 + $1.messages.load(ordering: .relaxed), $0.1 + $1.bytes.load(ordering: .relaxed)) }
}

try await Task.sleep(for: .seconds(warmup))
let start = (totals(), ContinuousClock.now)
try await Task.sleep(for: .seconds(seconds))
let end = (totals(), ContinuousClock.now)
let elapsed = end.1 - start.1
let measured = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let open = counters.filter { $0.open.load(ordering: .relaxed) }.count
let failed = counters.filter { $0.failed.load(ordering: .relaxed) }.count
print(
    "{\"messages\": \(end.0.messages - start.0.messages), \"bytes\": \(end.0.bytes - start.0.bytes), "
        + "\"seconds\": \(measured), \"open\": \(open), \"failed\": \(failed)}")
exit(0)
