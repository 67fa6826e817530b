import Foundation
import Logging
import Testing
import TallyCore
import TallyTestKit

@Suite("A job runs only against the app's existing database, and leaves nothing behind when it is not")
struct AppDatabaseCheckTests {
    @Test("a SQLite file that does not exist is a DATABASE_URL error (78), and no file is created")
    func missingFile() async throws {
        // Given a DATABASE_URL naming a file nobody created
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-appdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tally.sqlite").path
        var configuration = StoreConfiguration(location: .sqlite(.file(path: path)))
        configuration.requiresAppDatabase = true

        // When a job opens it
        let error = try await #require(throws: ConfigurationError.self) {
            _ = try await openStore(configuration, logger: Logger(label: "test"))
        }

        // Then it names DATABASE_URL and the file, and the directory is still empty
        #expect(error.key == "DATABASE_URL")
        #expect(error.exitStatus.rawValue == 78)
        #expect(error.problem.contains(path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("a database without the usage table is a DATABASE_URL error naming the table, and gets none of Tally's tables",
          arguments: StoreBackendUnderTest.all)
    func noUsageTable(backend: StoreBackendUnderTest) async throws {
        try await backend.withFreshDatabase { location in
            // Given an existing database that is not the app's
            try await SampleAppDatabase.execute(["CREATE TABLE unrelated (id INTEGER PRIMARY KEY)"], at: location)
            var configuration = StoreConfiguration(location: location)
            configuration.requiresAppDatabase = true

            // When a job opens it
            let error = try await #require(throws: ConfigurationError.self) {
                _ = try await openStore(configuration, logger: Logger(label: "test"))
            }

            // Then DATABASE_URL is blamed (not USAGE_QUERY), and no migration ran
            #expect(error.key == "DATABASE_URL")
            #expect(error.problem.contains("no table token_usage"), "\(error)")
            let store = try await openStore(StoreConfiguration(location: location, tablePrefix: "never_"), logger: Logger(label: "test"))
            let tables = try await store.tableNames()
            try await store.close()
            #expect(!tables.contains("tally_job_runs"))
        }
    }

    @Test("the app's database opens as before", arguments: StoreBackendUnderTest.all)
    func appDatabaseOpens(backend: StoreBackendUnderTest) async throws {
        try await backend.withFreshDatabase { location in
            try await SampleAppDatabase.create(at: location)
            var configuration = StoreConfiguration(location: location)
            configuration.requiresAppDatabase = true
            let store = try await openStore(configuration, logger: Logger(label: "test"))
            let tables = try await store.tableNames()
            try await store.close()
            #expect(tables.contains("tally_job_runs"))
        }
    }
}
