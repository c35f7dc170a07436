// swift-tools-version: 6.1
// A minimal Hummingbird 2 server used only as a side-by-side peer in Benchmarks/run.sh.
// Not part of Ferry's build; never run in CI.
import PackageDescription

let package = Package(
    name: "hummingbird-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdBench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/HummingbirdBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
