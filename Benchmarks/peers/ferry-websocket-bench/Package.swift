// swift-tools-version: 6.1
// A WebSocket echo server on Ferry's own engine (FerryHTTP) and WebSocket API (FerryWeb), the
// Ferry side of Benchmarks/run-websocket.py. The product has no echo route and gets none: this
// package builds one from the public API, as a module of Ferry would. Never run in CI.
import PackageDescription

let package = Package(
    name: "ferry-websocket-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named: the identity of a path dependency is its folder name, which differs between clones.
        .package(name: "Ferry", path: "../../.."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "FerryWebSocketBench",
            dependencies: [
                .product(name: "FerryHTTP", package: "Ferry"),
                .product(name: "FerryWeb", package: "Ferry"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/FerryWebSocketBench"
        )
    ],
    swiftLanguageModes: [.v6]
)
