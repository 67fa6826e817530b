import Foundation
import Logging

/// Finds the rows to re-send. A row is sent only once Stripe's summaries have shown it missing: either the
/// latest reconciliation named it, or, for an unreported row no reconciliation has judged yet, retry's own
/// check of the row's window against Stripe (`UnjudgedRowCheck`). Nothing younger than the settle delay is
/// ever a candidate: the app may still be sending it.
struct RetryPlanner: Sendable {
    var store: any TallyStore
    var stripe: any StripeAPI
    var meters: [String: Meter]
    /// The first configured meter: where usage of customers without a metered item is judged.
    var defaultMeter: Meter
    var now: Date
    /// `RECONCILE_SETTLE_MINUTES`.
    var settleDelay: TimeInterval
    /// `--since`/`--until`, when given.
    var range: JobTimeRange?
    var logger: Logger
    var interrupt: InterruptFlag

    func plan() async throws -> RetryPlan {
        let allRuns = try await store.reconciliationRuns(jobRunID: nil)
        let runs = Self.newestJobRun(of: allRuns)
        var stored: [StoredDiscrepancy] = []
        for run in runs {
            stored += try await store.discrepancies(reconciliationRunID: run.id)
        }
        let repairable = stored.map(\.discrepancy).filter { [.unreported, .lostAfterAck].contains($0.kind) && !$0.usageRowIDs.isEmpty }
        let extras = stored.filter { $0.discrepancy.kind == .extraInStripe && $0.discrepancy.customerID != nil && $0.resolution == nil }
        var candidates: [RetryCandidate] = []
        for discrepancy in repairable {
            guard let meter = meters[discrepancy.meterID] else { continue }
            let wanted = Set(discrepancy.usageRowIDs)
            let rows = try await store.usageRows(from: discrepancy.windowStart, to: discrepancy.windowEnd,
                                                 customer: discrepancy.customerID)
            for row in rows where wanted.contains(row.id) && inRange(row) {
                candidates.append(RetryCandidate(row: row, meter: meter, kind: discrepancy.kind,
                                                 humanReason: discrepancy.repair == .human ? discrepancy.suggestedAction : nil))
            }
        }
        let (checked, count) = try await checkedUnjudgedRows(judged: allRuns)
        let source = count == 0 ? "reconciliation" : "reconciliation and \(count) unjudged rows checked against Stripe"
        return RetryPlan(candidates: Self.unique(candidates + checked.missing), extras: extras, source: source,
                         checkedAgainstStripe: count, presentInStripe: checked.present)
    }

    /// The reconciliation runs (one per meter) of the newest reconcile job run.
    static func newestJobRun(of runs: [StoredReconciliationRun]) -> [StoredReconciliationRun] {
        guard let newest = runs.first else { return [] }
        guard let jobRunID = newest.jobRunID else { return [newest] }
        return runs.filter { $0.jobRunID == jobRunID }
    }

    /// Unreported, billable rows older than the settle delay that no reconciliation judged: each is checked
    /// against Stripe's summaries of its window, and only the rows that check shows missing are returned.
    /// A row inside a judged range is left out whatever that run found: either it was named there, or
    /// Stripe has its usage under an identifier Tally cannot see.
    func checkedUnjudgedRows(judged runs: [StoredReconciliationRun]) async throws -> (UnjudgedRowCheck.Outcome, Int) {
        let settled = now.addingTimeInterval(-settleDelay)
        let start = range?.start ?? now.addingTimeInterval(-GapClassifier.stripeTimestampLimit)
        let end = min(range?.end ?? settled, settled)
        guard start < end else { return (.init(), 0) }
        let unjudged = try await store.usageRows(from: start, to: end, customer: nil).filter { row in
            row.reportedAt == nil && row.isBillable
                && !runs.contains { $0.start <= row.createdAt && row.createdAt < $0.end }
        }
        guard !unjudged.isEmpty else { return (.init(), 0) }
        let check = UnjudgedRowCheck(stripe: stripe, usage: store, meters: meters, defaultMeter: defaultMeter,
                                     now: now, settleDelay: settleDelay, logger: logger, interrupt: interrupt)
        return (try await check.check(unjudged), unjudged.count)
    }

    func inRange(_ row: UsageRow) -> Bool {
        guard let range else { return true }
        return range.start <= row.createdAt && row.createdAt < range.end
    }

    /// One candidate per identifier (two discrepancies may name the same row), oldest usage first.
    static func unique(_ candidates: [RetryCandidate]) -> [RetryCandidate] {
        var seen = Set<String>()
        return candidates.filter { seen.insert($0.identifier).inserted }
            .sorted { ($0.row.createdAt, $0.row.id) < ($1.row.createdAt, $1.row.id) }
    }
}
