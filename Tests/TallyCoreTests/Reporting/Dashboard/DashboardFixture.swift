import Foundation
import TallyTestKit
@testable import TallyCore

/// A store seeded for the dashboard, as of Nov 30, 2026 08:00 UTC, with hand-computed figures:
///
/// - Reconciliation: an October run (outside the 30 days), a run of Nov 28 judging Nov 26-27, and a run
///   of Nov 29 re-judging Nov 27 and judging Nov 28 (a day window, its hour drill-down, and a partial day
///   of another customer). Each day counts as its newest run judged it, drill-downs not again:
///   Nov 26 1,000/1,000; Nov 27 2,000/2,000 (not 2,000/1,500); Nov 28 600/500. Local 3,600, Stripe 3,500.
/// - The Nov 29 run's discrepancies: two open `unreported` (windows of Nov 28 and Nov 29 12:00, so 1-7
///   days and under a day old) and one resolved `extra_in_stripe` (not open).
/// - Deliveries: two failed (300 and 200 tokens, two customers), one sent.
/// - Caps: Acme 8,790 of 10,000; "Stark & Sons" 1,200 of 1,000, blocked; the hostile
///   `=HYPERLINK("http://evil.example",...)` team 0 of 60,000 (its name holds a URL, which must stay text).
/// - Stripe calls: the hand dataset's eight (3 failures, one 429, p95 1,000 ms) logged on Nov 20, plus one
///   of Oct 20, older than the 30 days.
enum DashboardFixture {
    static let now = utc("2026-11-30T08:00:00Z")
    static let app = SampleApp(teams: [
        SampleTeam(id: 1, name: "Acme Analytics", stripeCustomerID: "cus_acme"),
        SampleTeam(id: 2, name: "Stark & Sons", stripeCustomerID: "cus_yama"),
        SampleTeam(id: 3, name: HandDataset.hostileName, stripeCustomerID: "cus_evil"),
    ])

    static func seconds(_ text: String) -> Int { Int(utc(text).timeIntervalSince1970) }

    static func seed(_ store: any TallyStore, at location: DatabaseLocation) async throws {
        func run(_ id: Int, start: String, end: String, created: String) -> String {
            "INSERT INTO tally_reconciliation_runs (id, meter_id, formula, range_start, range_end, status, created_at) VALUES (\(id), 'mtr_tokens', 'sum', \(seconds(start)), \(seconds(end)), 'discrepancies', \(seconds(created)))"
        }
        func window(_ run: Int, _ customer: String, _ start: String, hours: Int = 24, _ granularity: String, local: Int, stripe: Int) -> String {
            "INSERT INTO tally_reconciliation_windows (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, granularity, local_value, stripe_value, status) VALUES (\(run), '\(customer)', NULL, 'mtr_tokens', \(seconds(start)), \(seconds(start) + hours * 3_600), '\(granularity)', \(local), \(stripe), 'compared')"
        }
        func discrepancy(_ run: Int, _ customer: String, _ start: String, _ kind: String, difference: Int, resolution: String?) -> String {
            "INSERT INTO tally_discrepancies (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value, difference, kind, repair, suggested_action, resolution, created_at) VALUES (\(run), '\(customer)', NULL, 'mtr_tokens', \(seconds(start)), \(seconds(start) + 3_600), \(100 + difference), 100, \(difference), '\(kind)', 'retry', 'run tally-retry', \(resolution.map { "'\($0)'" } ?? "NULL"), \(seconds("2026-11-29T03:00:00Z")))"
        }
        try await SampleAppDatabase.execute([
            run(1, start: "2026-10-01T00:00:00Z", end: "2026-10-02T00:00:00Z", created: "2026-10-02T03:00:00Z"),
            window(1, "cus_acme", "2026-10-01T00:00:00Z", "day", local: 9_999, stripe: 1),
            run(2, start: "2026-11-26T00:00:00Z", end: "2026-11-28T00:00:00Z", created: "2026-11-28T03:00:00Z"),
            window(2, "cus_acme", "2026-11-26T00:00:00Z", "day", local: 1_000, stripe: 1_000),
            window(2, "cus_acme", "2026-11-27T00:00:00Z", "day", local: 2_000, stripe: 1_500),
            run(3, start: "2026-11-27T00:00:00Z", end: "2026-11-29T00:00:00Z", created: "2026-11-29T03:00:00Z"),
            window(3, "cus_acme", "2026-11-27T00:00:00Z", "day", local: 2_000, stripe: 2_000),
            window(3, "cus_acme", "2026-11-28T00:00:00Z", "day", local: 500, stripe: 400),
            window(3, "cus_acme", "2026-11-28T05:00:00Z", hours: 1, "hour", local: 500, stripe: 400),
            window(3, "cus_yama", "2026-11-28T12:00:00Z", hours: 12, "partial_day", local: 100, stripe: 100),
            discrepancy(3, "cus_acme", "2026-11-28T05:00:00Z", "unreported", difference: 100, resolution: nil),
            discrepancy(3, "cus_yama", "2026-11-29T12:00:00Z", "unreported", difference: 40, resolution: nil),
            discrepancy(3, "cus_yama", "2026-11-20T00:00:00Z", "extra_in_stripe", difference: -10, resolution: "credited"),
        ], at: location)
        for (index, (customer, value, status)) in [("cus_acme", Int64(300), MeterEventDeliveryStatus.failed),
                                                    ("cus_yama", 200, .failed), ("cus_acme", 50, .sent)].enumerated() {
            _ = try await store.recordDelivery(MeterEventDelivery(
                usageRowID: "\(index + 1)", identifier: "tally-\(index + 1)", customerID: customer, eventName: "tokens",
                value: value, eventTimestamp: utc("2026-11-2\(index + 1)T10:00:00Z"), status: status, attempts: 3,
                lastError: status == .failed ? "api_error" : nil, createdAt: now, updatedAt: now))
        }
        try await store.record(HandDataset.apiCalls.map { call in
            var recent = call
            recent.startedAt = utc("2026-11-20T12:00:00Z")
            return recent
        } + [HandDataset.apiCalls[0]])
        let november = (start: utc("2026-11-01T00:00:00Z"), end: utc("2026-12-01T00:00:00Z"))
        try await store.saveUsageCaps([
            UsageCapRecord(teamID: "1", periodStart: november.start, periodEnd: november.end, allowance: 10_000, used: 8_790,
                           blocked: false, blockedAt: nil, projectedLimitAt: nil, updatedAt: now),
            UsageCapRecord(teamID: "2", periodStart: november.start, periodEnd: november.end, allowance: 1_000, used: 1_200,
                           blocked: true, blockedAt: utc("2026-11-25T00:00:00Z"), projectedLimitAt: nil, updatedAt: now),
            UsageCapRecord(teamID: "3", periodStart: november.start, periodEnd: november.end, allowance: 60_000, used: 0,
                           blocked: false, blockedAt: nil, projectedLimitAt: nil, updatedAt: now),
        ])
    }

    /// The report's data as `tally-report` gathers it for October, with the store's teams and discrepancies.
    static func reportData(_ store: any TallyStore) async throws -> ReportingData {
        var data = HandDataset.data(now: now)
        data.teams = try await store.teams()
        data.discrepancies = try await store.latestDiscrepancies()
        return data
    }

    static func dashboard(_ store: any TallyStore) async throws -> DashboardData {
        try await DashboardGatherer(reconciliations: store, deliveries: store, caps: store, calls: store).gather(try await reportData(store))
    }
}
