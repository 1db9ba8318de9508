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
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // The core does no I/O: domain types, facts and their schema, URL canonicalization,
        // the rule language, the decision engine, the pipeline and dispatch state machines,
        // and the ports (protocols) the adapters implement.
        .target(name: "HotlineCore"),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // YAML (through libyaml) to a node tree with positions and limits, and the strict reader.
        .target(name: "HotlineYAML", dependencies: ["HotlineCore", "CYAML"]),
        // Strict loaders for rule files, rule tests, the gateway config, contacts and
        // templates; owns the settings values the adapters take, and secrets.
        .target(
            name: "HotlineConfig",
            dependencies: ["HotlineCore", "HotlineYAML", "HotlineHosting", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // TurboJPEG's API and libpng's simplified API report errors by return value, not
        // longjmp, so Swift can call them directly without a C shim.
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CGIF", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        // libxml2's HTML parser, for the media a reported page shows.
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // Digests, image decoding, PDQ and its dihedral variants, exact and PDQ indexes,
        // hash-list importers. Everything in memory: nothing decoded is written anywhere.
        .target(
            name: "HotlineHashing",
            dependencies: ["HotlineCore", "CTurboJPEG", "CPNG", "CGIF", "CWebP", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // FFmpeg's demuxers, decoders and scaler, for video frames.
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // vPDQ: video decoded in memory with FFmpeg, one frame a second hashed with PDQ.
        .target(name: "HotlineVideo", dependencies: ["HotlineCore", "HotlineHashing", "CFFmpeg"]),
        // What a web page shows: its media references, read with libxml2's HTML parser. No I/O.
        .target(name: "HotlinePages", dependencies: ["CXML2"]),
        // Hosting resolution without I/O: IP tables, RDAP response reading, the contact
        // directory model, and the resolution chain behind protocols.
        .target(name: "HotlineHosting", dependencies: ["HotlineCore"]),
        // libcurl, wrapped once for the whole project: HTTP(S), SMTP, IMAP, the safe fetcher.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // S/MIME signatures of e-mailed notices (OpenSSL's CMS), behind HotlineCore's MessageSigner.
        .target(name: "HotlineSigning", dependencies: ["HotlineCore", "COpenSSL"]),
        // Network adapters: the DNS client, HTTP, SMTP and IMAP on libcurl, the RDAP client,
        // the safe fetcher, and the notice transports. They take the config's settings.
        .target(
            name: "HotlineNet",
            dependencies: ["HotlineCore", "HotlineConfig", "HotlineHosting", "CCurl", "CXML2", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Reading mail: what a message in a gateway mailbox is (reports, replies, bounces). No I/O.
        .target(name: "HotlineMail", dependencies: ["HotlineCore", "HotlineYAML"]),
        // The gateway's own evidence: fetches a reported URL and hashes what it serves, the
        // media of a page included, in memory (the core's EvidenceGathering port).
        .target(name: "HotlineEvidence", dependencies: ["HotlineCore", "HotlineNet", "HotlineHashing", "HotlinePages", "HotlineVideo"]),
        // The store behind the core's ports: SQLite through GRDB, PostgreSQL through PostgresNIO.
        .target(
            name: "HotlineStore",
            dependencies: [
                "HotlineCore", "HotlineConfig", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The composition root: builds the gateway from the config and the command line's
        // overrides, for the CLI and the server alike; the long-running parts that are not HTTP
        // (group-commit intake, the mailbox reader, reloading).
        .target(
            name: "HotlineApp",
            dependencies: [
                "HotlineCore", "HotlineConfig", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineMail", "HotlineStore", "HotlineEvidence",
                "HotlineSigning", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The service: Hummingbird routes, bearer-token access, problem details, metrics, the
        // dashboard, and the long-running services in one ServiceGroup.
        .target(
            name: "HotlineServer",
            dependencies: [
                "HotlineApp", "HotlineCore", "HotlineConfig", "HotlineHashing", "HotlineHosting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            resources: [.copy("Resources/openapi.json")]
        ),
        // The CLI: ArgumentParser commands over the composition root and the server.
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineApp", "HotlineServer", "HotlineCore", "HotlineConfig", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineYAML", "HotlinePages",
                "HotlineVideo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // In-memory fakes of every port, a manual clock, and loopback test servers.
        .target(name: "HotlineTesting", dependencies: ["HotlineCore", "HotlineConfig", "HotlineNet"]),
        .executableTarget(
            name: "HotlineBench",
            dependencies: [
                "HotlineApp", "HotlineCore", "HotlineConfig", "HotlineStore", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineServer",
                "HotlineTesting", "HotlineVideo",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HotlineBench"
        ),
        // Fuzz targets for every parser of outside data (`make fuzz` builds it with libFuzzer).
        .executableTarget(
            name: "HotlineFuzz",
            dependencies: ["HotlineCore", "HotlineYAML", "HotlineConfig", "HotlineHashing", "HotlineHosting", "HotlineNet", "HotlineMail", "HotlinePages"],
            path: "Fuzz/HotlineFuzz"
        ),
        .testTarget(name: "HotlineCoreTests", dependencies: ["HotlineCore", "HotlineTesting"]),
        .testTarget(name: "HotlineConfigTests", dependencies: ["HotlineConfig", "HotlineYAML", "HotlineTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "HotlineStoreTests", dependencies: ["HotlineStore", "HotlineConfig", "HotlineNet", "HotlineHashing", "HotlineTesting"]),
        .testTarget(name: "HotlineHostingTests", dependencies: ["HotlineHosting", "HotlineCore", "HotlineTesting"], exclude: ["Fixtures"]),
        .testTarget(
            name: "HotlineNetTests", dependencies: ["HotlineNet", "HotlineConfig", "HotlineHosting", "HotlineTesting"], exclude: ["Servers", "Fixtures"]),
        .testTarget(name: "HotlinePagesTests", dependencies: ["HotlinePages"]),
        .testTarget(
            name: "HotlineEvidenceTests", dependencies: ["HotlineEvidence", "HotlineCore", "HotlineNet", "HotlineHashing", "HotlineTesting", "HotlineVideo"]),
        .testTarget(
            name: "HotlineVideoTests", dependencies: ["HotlineVideo", "CFFmpeg", "HotlineHashing", "HotlineCore", "HotlineTesting"], exclude: ["Reference"]),
        .testTarget(name: "HotlineHashingTests", dependencies: ["HotlineHashing", "HotlineTesting"], exclude: ["Reference"]),
        .testTarget(name: "HotlineCLITests", dependencies: ["HotlineCore", "HotlineConfig", "HotlineNet", "HotlineTesting", "hotline", "HotlineFuzz"]),
        .testTarget(
            name: "HotlineServerTests",
            dependencies: [
                "HotlineServer", "HotlineApp", "HotlineMail", "HotlineConfig", "HotlineCore", "HotlineHashing", "HotlineNet", "HotlineTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Browser"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
