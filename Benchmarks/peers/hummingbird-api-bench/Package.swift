// swift-tools-version: 6.1
// Hummingbird 2 serving Ferry's authenticated JSON routes over the same store (FerryStore), as the
// side-by-side peer of Benchmarks/run-api.sh. Not part of Ferry's build; never run in CI.
import PackageDescription

let package = Package(
    name: "hummingbird-api-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(name: "Ferry", path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdAPIBench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "FerryStore", package: "Ferry"),
            ],
            path: "Sources/HummingbirdAPIBench"
        )
    ],
    swiftLanguageModes: [.v6]
)
