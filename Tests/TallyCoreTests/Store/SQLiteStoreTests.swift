import Foundation
import Logging
import Testing
import TallyCore

@Suite("SQLite store specifics")
struct SQLiteStoreTests {
    @Test("a database in a missing directory is a DATABASE_URL configuration error")
    func missingDirectory() async throws {
        let path = "/nonexistent-\(UUID().uuidString)/tally.sqlite"
        let error = try await #require(throws: ConfigurationError.self) {
            _ = try await openStore(StoreConfiguration(location: .sqlite(.file(path: path))), logger: Logger(label: "test"))
        }
        #expect(error.key == "DATABASE_URL")
        #expect(error.exitStatus == .configuration)
        #expect(error.description.contains(path))
    }

    @Test("an empty USAGE_QUERY falls back to the backend's default")
    func emptyUsageQueryUsesDefault() {
        let configuration = StoreConfiguration(location: .sqlite(.memory), usageQuery: "  \n")
        #expect(configuration.effectiveUsageQuery == UsageQuery.sqliteDefault)
        #expect(StoreConfiguration(location: .sqlite(.memory), usageQuery: "SELECT 1").effectiveUsageQuery == "SELECT 1")
    }
}
