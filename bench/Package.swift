// swift-tools-version: 6.0
// A separate package so that benchmarking builds only Engine in release, never the main package's tests.
// Run from this folder: swift run -c release EngineBench
import PackageDescription

let package = Package(
    name: "engine-bench",
    dependencies: [.package(name: "runner", path: "..")],
    targets: [
        .executableTarget(name: "EngineBench", dependencies: [.product(name: "Engine", package: "runner")], path: "Sources"),
    ]
)
