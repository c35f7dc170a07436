// swift-tools-version: 6.2
// A Hummingbird WebSocket echo server, the side-by-side peer of Ferry's WebSocket stack in
// Benchmarks/run-websocket.py. Not part of Ferry's build; never run in CI.
import PackageDescription

let package = Package(
    name: "hummingbird-websocket-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", exact: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdWebSocketBench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/HummingbirdWebSocketBench"
        )
    ],
    swiftLanguageModes: [.v6]
)
