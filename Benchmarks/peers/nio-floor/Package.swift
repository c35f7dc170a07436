// swift-tools-version: 6.1
// The floor of any HTTP server on SwiftNIO: no HTTP codec at all, a fixed 1 KiB response written for
// every "\r\n\r\n" seen. Ferry cannot be faster than this without leaving NIO's event loop.
import PackageDescription

let package = Package(
    name: "nio-floor",
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "NIOFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        )
    ]
)
