// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "HotlineGateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hotline", targets: ["hotline"]),
        .library(name: "HotlineCore", targets: ["HotlineCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // PostgreSQL for several instances on one store (storage: postgres://…).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        // The core does no I/O: domain types, URL canonicalization, the rule language,
        // the decision engine, the ingest pipeline and the ports (protocols) adapters implement.
        .target(name: "HotlineCore"),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // YAML (through libyaml) to a node tree with positions; loaders for rule files,
        // rule tests and the gateway config.
        .target(
            name: "HotlineConfig",
            dependencies: [
                "HotlineCore", "HotlineHosting", "HotlineNet", "CYAML",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // TurboJPEG's API and libpng's simplified API report errors by return value, not
        // longjmp, so Swift can call them directly without a C shim.
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // Digests, image decoding, PDQ and its dihedral variants, exact and PDQ indexes,
        // hash-list importers. Everything in memory: nothing decoded is written anywhere.
        .target(
            name: "HotlineHashing",
            dependencies: [
                "HotlineCore", "CTurboJPEG", "CPNG",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Hosting resolution without I/O: IP tables, RDAP response reading, the contact
        // directory model, and the resolution chain behind protocols.
        .target(name: "HotlineHosting", dependencies: ["HotlineCore"]),
        // libcurl, wrapped once for the whole project: HTTP(S), SMTP, the safe fetcher.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Network adapters: the DNS client, HTTP and SMTP on libcurl, the RDAP client, the safe
        // fetcher, and the notice transports.
        .target(
            name: "HotlineNet",
            dependencies: ["HotlineCore", "HotlineHosting", "CCurl", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // SQLite through GRDB, behind HotlineCore's ReportStore protocol.
        .target(
            name: "HotlineStore",
            dependencies: [
                "HotlineCore", "HotlineHosting", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // In-memory fakes of the core's ports, for tests.
        .target(name: "HotlineTesting", dependencies: ["HotlineCore", "HotlineNet"]),
        // The service: Hummingbird routes, bearer-token access, problem details, metrics, and the
        // long-running parts (HTTP, intake, dispatch worker, rules reload) in one ServiceGroup.
        // Reading mail: what a message in a gateway mailbox is (reports, replies, bounces). No I/O.
        .target(name: "HotlineMail", dependencies: ["HotlineCore", "HotlineConfig"]),
        .target(
            name: "HotlineServer",
            dependencies: [
                "HotlineCore", "HotlineConfig", "HotlineMail", "HotlineStore", "HotlineHashing", "HotlineHosting", "HotlineNet",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.json")]
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineCore", "HotlineConfig", "HotlineStore", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "HotlineBench",
            dependencies: ["HotlineCore", "HotlineConfig", "HotlineStore", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineServer", "HotlineTesting"],
            path: "Benchmarks/HotlineBench"
        ),
        // Fuzz targets for every parser of outside data (`make fuzz` builds it with libFuzzer).
        .executableTarget(
            name: "HotlineFuzz",
            dependencies: ["HotlineCore", "HotlineConfig", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineMail"],
            path: "Fuzz/HotlineFuzz"
        ),
        .testTarget(name: "HotlineCoreTests", dependencies: ["HotlineCore", "HotlineTesting"]),
        .testTarget(name: "HotlineConfigTests", dependencies: ["HotlineConfig", "HotlineTesting"]),
        .testTarget(name: "HotlineStoreTests", dependencies: ["HotlineStore", "HotlineTesting"]),
        .testTarget(name: "HotlineHostingTests", dependencies: ["HotlineHosting", "HotlineTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "HotlineNetTests", dependencies: ["HotlineNet", "HotlineTesting"], exclude: ["Servers", "Fixtures"]),
        .testTarget(name: "HotlineHashingTests", dependencies: ["HotlineHashing", "HotlineTesting"], exclude: ["Reference"]),
        .testTarget(name: "HotlineCLITests", dependencies: ["HotlineCore", "HotlineNet", "HotlineTesting", "hotline", "HotlineFuzz"]),
        .testTarget(
            name: "HotlineServerTests",
            dependencies: ["HotlineServer", "HotlineMail", "HotlineTesting", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
