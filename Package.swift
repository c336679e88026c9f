// swift-tools-version:6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Tidemark",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tidemark", targets: ["tidemark"]),
        .executable(name: "tidemark-bench", targets: ["TidemarkBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CLibGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
        // Pure core: YAML nodes, manifests, kinds, validation, graph, diff, plan, rendering.
        // It reads no files, no clock and no network; the only C it touches is the YAML parser.
        .target(
            name: "TidemarkCore",
            dependencies: ["CYAML", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "HashTreeCollections", package: "swift-collections")],
            swiftSettings: settings),
        // The git edge: snapshots of the manifests path at any revision, via libgit2.
        .target(
            name: "TidemarkGit",
            dependencies: ["CLibGit2", "TidemarkCore", "TidemarkEngine"],
            swiftSettings: settings),
        // The engine: the Reconciler, live-state planning, the applier with rollback, recovery,
        // and the ports it drives (repository source, service backend, store, clock). No
        // SQLite, no git, no terminal here.
        .target(
            name: "TidemarkEngine",
            dependencies: ["TidemarkCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: settings),
        // The controller's own records in SQLite: revisions, inventory, journal, audit chain, lease.
        .target(
            name: "TidemarkStore",
            dependencies: ["TidemarkEngine", "TidemarkCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: settings),
        // The same records in PostgreSQL (postgres-nio), one application per scope: the shared
        // store that several controllers and many applications run on.
        .target(
            name: "TidemarkPostgres",
            dependencies: [
                "TidemarkEngine", "TidemarkCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: settings),
        // Local service modules that behave like the SageMaker services, persisted in SQLite.
        .target(
            name: "TidemarkServices",
            dependencies: ["TidemarkEngine", "TidemarkCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: settings),
        // SageMaker's wire: AWS JSON 1.1 bodies from the generated shapes (botocore member
        // names), Signature Version 4, the service's error protocol, and the translation of
        // each operation to and from the engine's ServiceBackend. Pure: no sockets, no files.
        .target(
            name: "TidemarkWire",
            dependencies: ["TidemarkCore", "TidemarkEngine", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: settings),
        // The real SageMaker API as a ServiceBackend: HTTPS (async-http-client), the AWS
        // credential chain, retries with full jitter, pagination, deadlines.
        .target(
            name: "TidemarkAWS",
            dependencies: [
                "TidemarkWire", "TidemarkCore", "TidemarkEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: settings),
        // The controller: watch a repository, reconcile each commit, heal drift, as a Service.
        // It sees the engine's ports only; the executable composes the adapters.
        .target(
            name: "TidemarkController",
            dependencies: [
                "TidemarkCore", "TidemarkEngine",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        // What operators read: the web console's pages (Mustache templates compiled in, the
        // resource tree, the stylesheet and script) and a resource's lineage as text and JSON.
        .target(
            name: "TidemarkConsole",
            dependencies: ["TidemarkCore", "TidemarkEngine", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: settings),
        // HTTP around the controller (Hummingbird): health, metrics, API, webhooks, the console,
        // and notifications to webhooks (async-http-client).
        .target(
            name: "TidemarkServer",
            dependencies: [
                "TidemarkController", "TidemarkCore", "TidemarkEngine", "TidemarkWire", "TidemarkConsole",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        // `make bench`: a generated repository, the floor, and every step timed against it.
        .executableTarget(
            name: "TidemarkBench",
            dependencies: [
                "CYAML", "CMalloc", "TidemarkCore", "TidemarkGit", "TidemarkEngine", "TidemarkStore", "TidemarkServices", "TidemarkTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings),
        // Shared by the test targets: a real git repository in a temp folder, and clocks that
        // move only when a test says (ManualTime, TestClock).
        .target(name: "TidemarkTesting", dependencies: ["TidemarkEngine"], swiftSettings: settings),
        .executableTarget(
            name: "tidemark",
            dependencies: [
                "CMalloc", "TidemarkCore", "TidemarkGit", "TidemarkEngine", "TidemarkStore", "TidemarkServices",
                "TidemarkController", "TidemarkServer", "TidemarkWire", "TidemarkAWS", "TidemarkPostgres", "TidemarkConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "TidemarkCoreTests", dependencies: ["TidemarkCore", "TidemarkTesting"],
            resources: [.copy("Golden")], swiftSettings: settings),
        .testTarget(
            name: "TidemarkGitTests", dependencies: ["TidemarkGit", "TidemarkCore", "TidemarkTesting"],
            swiftSettings: settings),
        .testTarget(
            name: "TidemarkEngineTests",
            dependencies: ["TidemarkEngine", "TidemarkStore", "TidemarkServices", "TidemarkCore", "TidemarkTesting", "TidemarkGit"],
            swiftSettings: settings),
        .testTarget(
            name: "TidemarkStoreTests",
            dependencies: ["TidemarkStore", "TidemarkPostgres", "TidemarkEngine", "TidemarkCore", "TidemarkController", "TidemarkTesting",
                           .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: settings),
        .testTarget(
            name: "TidemarkControllerTests",
            dependencies: ["TidemarkController", "TidemarkEngine", "TidemarkStore", "TidemarkServices", "TidemarkCore", "TidemarkGit",
                           "TidemarkTesting", .product(name: "Logging", package: "swift-log")],
            swiftSettings: settings),
        .testTarget(
            name: "TidemarkWireTests",
            dependencies: ["TidemarkWire", "TidemarkAWS", "TidemarkCore", "TidemarkEngine", "TidemarkServices", "TidemarkTesting"],
            exclude: ["Python"], swiftSettings: settings),
        // The console's renderer: the resource tree and the templates.
        .testTarget(
            name: "TidemarkConsoleTests",
            dependencies: ["TidemarkConsole", "TidemarkCore", "TidemarkEngine"],
            swiftSettings: settings),
        // The real binary end to end; the console in headless Chromium (Selenium, from a
        // virtual environment) and notifications received by a local webhook receiver.
        .testTarget(
            name: "TidemarkCLITests",
            dependencies: ["TidemarkTesting", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Hummingbird", package: "hummingbird")],
            exclude: ["Python"], swiftSettings: settings),
    ]
)
