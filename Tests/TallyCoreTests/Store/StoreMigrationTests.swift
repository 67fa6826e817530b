import Foundation
import Logging
import Testing
import TallyCore
import TallyTestKit

@Suite("Store migrations")
struct StoreMigrationTests {
    static let tallyTables: Set<String> = [
        "stripe_events", "stripe_event_queue", "subscription_items",
        "tally_job_runs", "tally_api_calls", "tally_reconciliation_runs", "tally_reconciliation_windows",
        "tally_discrepancies", "tally_meter_event_deliveries", "tally_usage_notifications", "tally_usage_caps",
    ]

    @Test("opening a new database creates Tally's tables and records every migration", arguments: StoreBackendUnderTest.all)
    func createsTables(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let tables = try await store.tableNames()
            #expect(Self.tallyTables.isSubset(of: tables), "missing: \(Self.tallyTables.subtracting(tables))")
            #expect(try await store.appliedMigrations() == TallyMigration.all.map(\.identifier))
            #expect(store.backend.rawValue == backend.rawValue)
        }
    }

    @Test("re-opening a migrated database changes nothing and keeps the data", arguments: StoreBackendUnderTest.all)
    func reopeningIsANoOp(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, location in
            let runID = try await store.startRun(job: "tally-report", startedAt: Date(timeIntervalSince1970: 1_767_225_600), arguments: "", dryRun: false)

            let reopened = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "test"))
            let migrations = try await reopened.appliedMigrations()
            let runs = try await reopened.recentRuns(job: "tally-report", limit: 10)
            try await reopened.close()

            #expect(migrations == TallyMigration.all.map(\.identifier))
            #expect(runs.map(\.id) == [runID])
        }
    }

    @Test("leaves the app's own tables alone", arguments: StoreBackendUnderTest.all)
    func keepsAppTables(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0) }) { store, _ in
            let tables = try await store.tableNames()
            #expect(["teams", "users", "team_members", "token_usage"].allSatisfy(tables.contains))
        }
    }
}
