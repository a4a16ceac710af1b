// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Loket",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loket", targets: ["loket"]),
        .library(name: "LoketCore", targets: ["LoketCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .target(
            name: "LoketCore",
            resources: [
                .copy("Resources/default-script.toml"), .copy("Resources/stories.toml"),
                .copy("Resources/scenarios.toml"),
            ]
        ),
        .target(name: "LoketUI", dependencies: ["LoketCore"], resources: [.copy("Themes")]),
        .systemLibrary(name: "CNcurses"),
        .target(name: "LoketTerminal", dependencies: ["CNcurses", "LoketUI", "LoketCore"]),
        .executableTarget(
            name: "loket",
            dependencies: [
                "LoketCore", "LoketUI", "LoketTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "loket-bench", dependencies: ["LoketCore", "LoketUI"]),
        .testTarget(name: "LoketCoreTests", dependencies: ["LoketCore"]),
        .testTarget(name: "LoketUITests", dependencies: ["LoketUI"]),
        // Drives the real binary in tmux; depends on the executable so `swift test` builds it first.
        .testTarget(name: "LoketEndToEndTests", dependencies: ["loket"]),
    ],
    swiftLanguageModes: [.v6]
)
