import Foundation
import Logging
import PostgresNIO
import TallyCore

/// A fresh, uniquely named PostgreSQL database for one test, on the server `TALLY_TEST_POSTGRES_URL` names.
///
/// Without the variable, PostgreSQL tests are skipped on a developer's machine and fail on CI
/// (`CI=true`), so a CI that forgot to start the server never looks green.
public struct PostgresTestDatabase: Sendable {
    /// The environment variable naming the server, e.g. `postgres://postgres@127.0.0.1:54329/postgres`.
    public static let environmentKey = "TALLY_TEST_POSTGRES_URL"

    /// How to get a server, for skip notes and failures.
    public static let setupHint =
        "start one with `scripts/postgres-dev start` and `export \(environmentKey)=$(scripts/postgres-dev url)`"

    /// The server's URL, when configured.
    public static var serverURL: String? {
        ProcessInfo.processInfo.environment[environmentKey].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True on CI, where a missing server is a failure rather than a skip.
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true"
    }

    /// Whether PostgreSQL tests should run: a server is configured, or CI demands it (and they then fail).
    public static var shouldRun: Bool { serverURL != nil || isCI }

    /// The database created for this test.
    public let location: DatabaseLocation.PostgresLocation
    private let server: DatabaseLocation.PostgresLocation

    /// Creates `tally_test_<random>` on the configured server.
    public static func create(logger: Logger = Logger(label: "tally.test-postgres")) async throws -> PostgresTestDatabase {
        let server = try serverLocation()
        let name = "tally_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administer(server, sql: "CREATE DATABASE \(name)", logger: logger)
        return PostgresTestDatabase(location: server.with(database: name), server: server)
    }

    /// Drops the database, disconnecting anyone still on it.
    public func drop(logger: Logger = Logger(label: "tally.test-postgres")) async throws {
        try await Self.administer(server, sql: "DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)", logger: logger)
    }

    /// Runs `body` with a fresh database and drops it afterwards, also when `body` throws.
    public static func withFreshDatabase<T: Sendable>(_ body: (DatabaseLocation.PostgresLocation) async throws -> T) async throws -> T {
        let database = try await create()
        do {
            let result = try await body(database.location)
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    /// The configured server, or an error saying how to start one.
    public static func serverLocation() throws -> DatabaseLocation.PostgresLocation {
        guard let url = serverURL else { throw PostgresTestServerMissing() }
        guard case .postgres(let location) = try DatabaseLocation(parsing: url) else {
            throw PostgresTestServerMissing(found: "a non-PostgreSQL URL")
        }
        return location
    }

    /// Runs one statement on the configured server's own database (creating a role, a database).
    public static func executeOnServer(_ sql: String, logger: Logger = Logger(label: "tally.test-postgres")) async throws {
        try await administer(serverLocation(), sql: sql, logger: logger)
    }

    private static func administer(_ server: DatabaseLocation.PostgresLocation, sql: String, logger: Logger) async throws {
        let connection = try await server.connect(logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// `TALLY_TEST_POSTGRES_URL` is missing or wrong where PostgreSQL tests must run.
public struct PostgresTestServerMissing: Error, CustomStringConvertible {
    var found: String?

    public var description: String {
        let problem = found.map { "holds \($0)" } ?? "is not set"
        return "\(PostgresTestDatabase.environmentKey) \(problem), but the PostgreSQL store tests need a server (CI=true): \(PostgresTestDatabase.setupHint)"
    }
}
