import Foundation
import Logging
import TallyCore

/// A backend a store test runs on, with a fresh, empty database per test.
public enum StoreBackendUnderTest: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The backends to run: SQLite always, PostgreSQL when a server is configured or on CI (where a
    /// missing server then fails the tests). See `PostgresTestDatabase`.
    public static var all: [StoreBackendUnderTest] {
        PostgresTestDatabase.shouldRun ? [.sqlite, .postgres] : [.sqlite]
    }

    public var description: String { rawValue }

    /// Runs `body` with a fresh database (a temporary SQLite file, or a new PostgreSQL database) and
    /// removes it afterwards.
    public func withFreshDatabase<T: Sendable>(_ body: (DatabaseLocation) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("tally-store-test-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(.sqlite(.file(path: directory.appendingPathComponent("tally.sqlite").path)))
        case .postgres:
            return try await PostgresTestDatabase.withFreshDatabase { try await body(.postgres($0)) }
        }
    }

    /// Opens a store on a fresh database (after `prepare` has set up the app's tables), runs `body`, and
    /// closes the store and removes the database.
    public func withStore<T: Sendable>(
        usageQuery: String? = nil,
        prepare: (DatabaseLocation) async throws -> Void = { _ in },
        _ body: (any TallyStore, DatabaseLocation) async throws -> T
    ) async throws -> T {
        try await withFreshDatabase { location in
            try await prepare(location)
            let store = try await openStore(
                StoreConfiguration(location: location, usageQuery: usageQuery),
                logger: Logger(label: "tally.store-test")
            )
            do {
                let result = try await body(store, location)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
    }
}
