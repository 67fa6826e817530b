// swift-tools-version: 6.1
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallySandbox", targets: ["TallySandbox"]),
        .executable(name: "tally-sandbox", targets: ["tally-sandbox"]),
        .executable(name: "tally-reconcile", targets: ["tally-reconcile"]),
        .executable(name: "tally-retry", targets: ["tally-retry"]),
        .executable(name: "tally-alerts", targets: ["tally-alerts"]),
        .executable(name: "tally-report", targets: ["tally-report"]),
        .executable(name: "tally-events", targets: ["tally-events"]),
        .executable(name: "tally-bench", targets: ["tally-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // libcurl (HTTP and SMTP), with typed shims for the variadic curl_easy_setopt.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libxlsxwriter (XLSX workbooks with native charts).
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        // SQLite itself, beside GRDB, for the one variadic setting Tally needs (memory statistics off).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "TallyCore",
            dependencies: [
                "CCurl",
                "CSQLite",
                "CXLSXWriter",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // HMAC-SHA256 signatures of team webhooks.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swift6
        ),
        // The shared command-line surface of the job executables: options, start-up, exit codes.
        .target(
            name: "TallyCLI",
            dependencies: [
                "TallyCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6
        ),
        // The Stripe simulator: a stateful, fault-injectable stand-in for api.stripe.com.
        .target(
            name: "TallySandbox",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        // The demo's world, for tally-sandbox, the tests and the benchmarks: the sample app's database (both
        // backends) and the seeded Stripe account with its planted faults.
        .target(
            name: "TallyDemo",
            dependencies: [
                "TallyCore", "TallySandbox",
                // The sample app database is written directly, as the app would, not through the store.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swift6
        ),
        // Test kit shared by the tests and the benchmarks: the demo's sample data, a manual clock,
        // throwaway PostgreSQL databases, XLSX and email readers, process helpers. No shipped executable links it.
        .target(
            name: "TallyTestKit",
            dependencies: [
                "TallyCore", "TallyDemo",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "tally-sandbox",
            dependencies: [
                "TallySandbox", "TallyCore", "TallyDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(name: "tally-reconcile", dependencies: jobDependencies, swiftSettings: swift6),
        .executableTarget(name: "tally-retry", dependencies: jobDependencies, swiftSettings: swift6),
        .executableTarget(name: "tally-alerts", dependencies: jobDependencies, swiftSettings: swift6),
        .executableTarget(name: "tally-report", dependencies: jobDependencies, swiftSettings: swift6),
        .executableTarget(name: "tally-events", dependencies: jobDependencies, swiftSettings: swift6),
        .executableTarget(
            name: "tally-bench",
            dependencies: [
                "TallyCore", "TallySandbox", "TallyTestKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/tally-bench",
            swiftSettings: swift6
        ),
        .testTarget(
            name: "TallyCoreTests",
            // TallyCLI: the tests build their jobs through the executables' composition root.
            dependencies: ["TallyCore", "TallyCLI", "TallyTestKit", "TallySandbox"],
            exclude: ["Reports/Golden", "Reporting/Golden", "Mail/Golden"],
            resources: [.copy("Fixtures")],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "TallySandboxTests",
            dependencies: ["TallySandbox", "TallyTestKit"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "TallyIntegrationTests",
            dependencies: ["TallyCore", "TallyTestKit", "TallySandbox"],
            swiftSettings: swift6
        ),
    ]
)

/// Every job executable is a thin shell over TallyCore.
var jobDependencies: [Target.Dependency] {
    [
        "TallyCore",
        "TallyCLI",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]
}
