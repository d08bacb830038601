// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "runner",
    products: [
        .executable(name: "runner", targets: ["Runner"]),
        .library(name: "Spec", targets: ["Spec"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian, each a module map over its header (see docs/architecture.md).
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The typed experiment file: YAML nodes with locations, validation. Knows nothing of training.
        .target(name: "Spec", dependencies: ["CYAML"], exclude: ["README.md"]),
        // The optimizers' elementwise loops on AVX-512 when the CPU has it (the same bits).
        .target(name: "CWide", exclude: ["README.md"], cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
        // Tensors, layers, losses, optimizers, training, data. Knows nothing of YAML or the CLI.
        .target(
            name: "Engine",
            dependencies: ["CBLAS", "CDNNL", "CZlib", "CWide"],
            exclude: ["README.md"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        // The `runner` command: joins Spec and Engine; search, CV, leaderboards, sharding.
        .executableTarget(
            name: "Runner",
            dependencies: ["Spec", "Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["README.md"]
        ),

        .testTarget(name: "SpecTests", dependencies: ["Spec"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "DataTests", dependencies: ["Engine"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Spec", "Engine"]),
    ]
)
