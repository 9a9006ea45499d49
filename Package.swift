// swift-tools-version:6.0
import PackageDescription

// Dependencies, each for a reason:
// - swift-argument-parser: the CLI's subcommands, options, help and validation.
// libxlsxwriter (Debian's libxlsxwriter-dev) is reached through the CXLSXWriter system library.
let package = Package(
    name: "bptrace",
    products: [
        .executable(name: "bptrace", targets: ["bptrace"]),
        .library(name: "BPTrace", targets: ["BPTrace"]),
        .library(name: "BPTraceRenderers", targets: ["BPTraceRenderers"]),
        .library(name: "BPTraceCheck", targets: ["BPTraceCheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "BPTrace"),
        // The checker (`bptrace check`, `fixture`, `gradcheck`): fixtures, names, conventions, reports.
        .target(name: "BPTraceCheck", dependencies: ["BPTrace"]),
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter",
                       providers: [.apt(["libxlsxwriter-dev"])]),
        .target(name: "BPTraceRenderers", dependencies: ["BPTrace", "CXLSXWriter"]),
        .executableTarget(name: "bptrace", dependencies: [
            "BPTrace", "BPTraceRenderers", "BPTraceCheck",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "BPTraceTests", dependencies: ["BPTrace", "BPTraceCheck"]),
        .testTarget(name: "BPTraceRenderersTests", dependencies: ["BPTrace", "BPTraceRenderers"]),
        .testTarget(name: "bptraceCLITests", dependencies: ["BPTrace", "bptrace"]),
    ]
)
