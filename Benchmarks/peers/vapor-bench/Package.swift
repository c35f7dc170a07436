// swift-tools-version: 6.1
// A minimal Vapor 4 server used only as a side-by-side peer in Benchmarks/run.sh.
// Not part of Ferry's build; never run in CI.
import PackageDescription

let package = Package(
    name: "vapor-bench",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        .executableTarget(
            name: "VaporBench",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
            ],
            path: "Sources/VaporBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
