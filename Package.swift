// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Loket",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loket", targets: ["loket"]),
        .executable(name: "loket-hub", targets: ["loket-hub"]),
        .executable(name: "loket-live", targets: ["loket-live"]),
        .library(name: "LoketCore", targets: ["LoketCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The data files are built into the binary (scripts/embed-resources.sh) instead of SwiftPM resources: a
        // resource bundle links Foundation's Bundle, and with it CoreFoundation and ICU (50 MB of the static
        // `loket`, 5 MB of the screen's resident memory).
        .target(name: "LoketCore", dependencies: ["LoketKernels"], exclude: ["Resources"]),
        // The training loops, optimised in every build: unoptimised, their vector code made a debug `loket` take
        // 3.9 s to its first frame (20 s and a failed end-to-end test on a busy CI machine); here, 0.14 s.
        .target(name: "LoketKernels", swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "LoketUI", dependencies: ["LoketCore"], exclude: ["Themes"]),
        .systemLibrary(name: "CNcurses"),
        .target(name: "LoketTerminal", dependencies: ["CNcurses", "LoketUI", "LoketCore"]),
        // The wire protocol shared by the hub and the officer's link: frames as values, no sockets.
        .target(name: "LoketWire", dependencies: ["LoketCore"]),
        // The officer's connection to a hub; the screen sees it only as a citizen source.
        .target(
            name: "LoketLive",
            dependencies: [
                "LoketCore", "LoketWire",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "LoketHub",
            dependencies: [
                "LoketCore", "LoketWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // `FrameWriter` puts frames on the channel itself, below Hummingbird's writer.
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // The WhatsApp Cloud API client: HTTPS out, on the event loops the server already runs.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // The citizen's chat page, served from memory at `/`.
            resources: [.copy("Web")]
        ),
        // What both command-line programs share: script option, output without traps, the counter loop.
        .target(
            name: "LoketCLI",
            dependencies: [
                "LoketCore", "LoketUI", "LoketTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Trainee mode and the engine: no network code, so it starts small.
        .executableTarget(
            name: "loket",
            dependencies: [
                "LoketCore", "LoketUI", "LoketTerminal", "LoketCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Live mode: the same screen fed by a hub; `loket live` hands over to it.
        .executableTarget(
            name: "loket-live",
            dependencies: [
                "LoketCore", "LoketUI", "LoketTerminal", "LoketCLI", "LoketLive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "loket-hub",
            dependencies: [
                "LoketHub", "LoketCore", "LoketLive", "LoketWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "loket-bench",
            dependencies: [
                "LoketCore", "LoketUI", "LoketHub", "LoketLive", "LoketWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "LoketCoreTests", dependencies: ["LoketCore", "LoketKernels"]),
        .testTarget(name: "LoketUITests", dependencies: ["LoketUI"]),
        .testTarget(
            name: "LoketHubTests",
            dependencies: [
                "LoketHub", "LoketWire", "LoketLive", "LoketCore",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // The fake Graph API the WhatsApp tests send replies to.
                .product(name: "Hummingbird", package: "hummingbird"),
                // An in-memory channel for the frame writer's own test.
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Drives the real binaries in tmux; depends on the executables so `swift test` builds them first.
        .testTarget(name: "LoketEndToEndTests", dependencies: ["loket", "loket-hub", "loket-live", "LoketLive", "LoketWire"]),
    ],
    swiftLanguageModes: [.v6]
)
