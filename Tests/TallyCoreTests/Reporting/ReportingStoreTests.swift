import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

@Suite("Store reads for reports, on every backend")
struct ReportingStoreTests {
    @Test("reads the app's teams with their Stripe customers", arguments: StoreBackendUnderTest.all)
    func teams(backend: StoreBackendUnderTest) async throws {
        let app = SampleApp(teams: [
            SampleTeam(id: 2, name: HandDataset.hostileName, stripeCustomerID: "cus_2"),
            SampleTeam(id: 1, name: "Acme Analytics", stripeCustomerID: nil),
        ])
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: app) }) { store, _ in
            let teams = try await store.teams()
            #expect(teams == [TeamRecord(id: "1", name: "Acme Analytics", stripeCustomerID: nil),
                              TeamRecord(id: "2", name: HandDataset.hostileName, stripeCustomerID: "cus_2")])
        }
    }

    @Test("reads only the latest reconciliation run's discrepancies; none before a first run",
          arguments: StoreBackendUnderTest.all)
    func latestDiscrepancies(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, location in
            // Given no reconciliation run yet
            #expect(try await store.latestDiscrepancies().isEmpty)

            // When two runs stored discrepancies
            try await SampleAppDatabase.execute([
                "INSERT INTO tally_reconciliation_runs (id, meter_id, formula, range_start, range_end, status, created_at) VALUES (1, 'mtr_1', 'sum', 1790000000, 1790086400, 'done', 1790090000)",
                "INSERT INTO tally_reconciliation_runs (id, meter_id, formula, range_start, range_end, status, created_at) VALUES (2, 'mtr_1', 'sum', 1790086400, 1790172800, 'done', 1790176400)",
                "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (1, 'cus_old', '9', 'mtr_1', 1790000000, 1790003600, 10, 0, 10, 'unreported', 'retry', 'run tally-retry', NULL, 1790090000)",
                "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (2, 'cus_b', '2', 'mtr_1', 1790100000, 1790103600, 500, 300, 200, 'unreported', 'retry', 'run tally-retry', 'resent', 1790176400)",
                "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (2, 'cus_a', NULL, 'mtr_1', 1790090000, 1790093600, 0, 40, -40, 'extra_in_stripe', 'human', 'credit the customer', NULL, 1790176400)",
            ], at: location)

            // Then only the latest run's, by customer
            let records = try await store.latestDiscrepancies()
            #expect(records.map(\.customerID) == ["cus_a", "cus_b"])
            #expect(records[1] == DiscrepancyRecord(
                reconciledAt: Date(timeIntervalSince1970: 1_790_176_400), customerID: "cus_b", teamID: "2", meterID: "mtr_1",
                windowStart: Date(timeIntervalSince1970: 1_790_100_000), windowEnd: Date(timeIntervalSince1970: 1_790_103_600),
                localTokens: 500, stripeTokens: 300, difference: 200, kind: "unreported", resolution: "resent"))
            #expect(records[0].teamID == nil)
        }
    }

    @Test("with several meters, the latest reconciliation is every meter of the newest job run", arguments: StoreBackendUnderTest.all)
    func latestDiscrepanciesOfEveryMeter(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, location in
            // Given one reconcile job run that judged two meters, after an older run
            try await SampleAppDatabase.execute([
                "INSERT INTO tally_job_runs (id, job, started_at, arguments, dry_run, status) VALUES (7, 'reconcile', 1790000000, '', FALSE, 'finished')",
                "INSERT INTO tally_job_runs (id, job, started_at, arguments, dry_run, status) VALUES (8, 'reconcile', 1790170000, '', FALSE, 'finished')",
                "INSERT INTO tally_reconciliation_runs (id, job_run_id, meter_id, formula, range_start, range_end, status, created_at) VALUES (1, 7, 'mtr_1', 'sum', 1790000000, 1790086400, 'done', 1790090000)",
                "INSERT INTO tally_reconciliation_runs (id, job_run_id, meter_id, formula, range_start, range_end, status, created_at) VALUES (2, 8, 'mtr_1', 'sum', 1790086400, 1790172800, 'done', 1790176400)",
                "INSERT INTO tally_reconciliation_runs (id, job_run_id, meter_id, formula, range_start, range_end, status, created_at) VALUES (3, 8, 'mtr_2', 'sum', 1790086400, 1790172800, 'done', 1790176400)",
                "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (1, 'cus_old', '9', 'mtr_1', 1790000000, 1790003600, 10, 0, 10, 'unreported', 'retry', 'run tally-retry', NULL, 1790090000)",
                "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (2, 'cus_a', '1', 'mtr_1', 1790100000, 1790103600, 5, 0, 5, 'unreported', 'retry', 'run tally-retry', NULL, 1790176400)",
                "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (3, 'cus_b', '2', 'mtr_2', 1790100000, 1790103600, 7, 0, 7, 'unreported', 'retry', 'run tally-retry', NULL, 1790176400)",
            ], at: location)

            // Then the Discrepancies sheet reads both meters of job run 8, not only the last meter's rows
            let records = try await store.latestDiscrepancies()
            #expect(records.map(\.meterID) == ["mtr_1", "mtr_2"])
            #expect(records.map(\.customerID) == ["cus_a", "cus_b"])
        }
    }

    @Test("reads the API calls logged in a time range", arguments: StoreBackendUnderTest.all)
    func apiCallsInRange(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let calls = [
                HandDataset.call("GET", "/v1/invoices", 200, 12.5),
                HandDataset.call("POST", "/v1/billing/meter_events", 429, 3, rateLimited: true),
            ]
            var outside = HandDataset.call("GET", "/v1/customers", 200, 1)
            outside.startedAt = utc("2026-11-01T00:00:00Z")
            try await store.record(calls + [outside])
            let read = try await store.apiCalls(from: utc("2026-10-01T00:00:00Z"), to: utc("2026-11-01T00:00:00Z"))
            #expect(read == calls)
        }
    }
}
