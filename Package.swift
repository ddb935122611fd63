// swift-tools-version:6.0
import PackageDescription

/// recsh: an interactive shell for graph-neural-network movie recommendation.
///
/// Modules, bottom up: `CKernels` (one run-time-dispatched AVX2 kernel), `Tensors` (dense and sparse linear algebra, a small
/// autodiff tape, Adam; knows nothing about movies), `GraphRec` (data, models,
/// training, evaluation, retrieval, persistence), `RecShell` (line editor,
/// command language, renderers), `RecServe` (the session as a web page) and the `recsh` executable.
let package = Package(
    name: "recsh",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "recsh", targets: ["recsh"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        // `serve`: a small async/await HTTP server on BSD sockets (about a tenth of Hummingbird's build cost).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CEditLine",
            path: "Sources/CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        // One C function compiled for AVX2 + FMA and picked at run time (see its header).
        .target(name: "CKernels"),
        .target(
            name: "Tensors",
            dependencies: ["CKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(
            name: "GraphRec",
            dependencies: [
                "Tensors",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "RecShell",
            dependencies: ["GraphRec", "Tensors", "CEditLine"]
        ),
        // `serve`: the live session as a web page over the shell's own commands.
        .target(
            name: "RecServe",
            dependencies: ["RecShell", "GraphRec", .product(name: "FlyingFox", package: "FlyingFox")]
        ),
        .executableTarget(
            name: "recsh",
            dependencies: ["RecShell", "RecServe", "Tensors", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Fuzzing (make fuzz): the targets, a C crash saver, and the driver executable.
        .target(name: "CFuzzSupport"),
        .target(name: "FuzzTargets", dependencies: ["GraphRec", "RecShell", "Tensors"]),
        .executableTarget(name: "recsh-fuzz", dependencies: ["FuzzTargets", "CFuzzSupport"]),
        // What every test target shares: the real data's location, fixture directories, the binary runner.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "GraphRecTests", dependencies: ["GraphRec", "Tensors", "TestSupport"]),
        .testTarget(name: "RecShellTests", dependencies: ["RecShell", "GraphRec", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "RecServeTests", dependencies: [
            "RecServe", "RecShell", "GraphRec", "TestSupport", .product(name: "FlyingFox", package: "FlyingFox"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),   // inflates the browser test's screenshot
        ]),
        // The fault suite damages bundles through GraphRec and data files through the fuzz mutator.
        .testTarget(name: "EndToEndTests", dependencies: ["recsh", "GraphRec", "Tensors", "FuzzTargets", "TestSupport"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "GraphRec", "recsh-fuzz"]),
    ],
    swiftLanguageModes: [.v6]
)
