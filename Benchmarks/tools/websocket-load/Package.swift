// swift-tools-version: 6.1
// The WebSocket load generator of Benchmarks/run-websocket.py: many connections, each keeping a
// fixed number of echo messages in flight. Written to cost the client as little as possible per
// message (prebuilt masked frames, server frames skipped without copying), so that the servers
// are the bottleneck. Depends on NIO only, never on Ferry. Never run in CI.
import PackageDescription

let package = Package(
    name: "websocket-load",
    platforms: [.macOS(.v15)],
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "WebSocketLoad",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/WebSocketLoad"
        )
    ],
    swiftLanguageModes: [.v6]
)
