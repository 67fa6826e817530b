import Foundation

/// Finds the rows to re-send: those named by the latest reconciliation's discrepancies, or, when it found
/// none, the unreported rows older than the grace period that no clean reconciliation already judged.
struct RetryPlanner: Sendable {
    var store: any TallyStore
    var meters: [String: Meter]
    /// The first configured meter: where unreported rows go when no reconciliation says otherwise.
    var defaultMeter: Meter
    var now: Date
    var settings: RetrySettings
    /// `--since`/`--until`, when given.
    var range: JobTimeRange?

    func plan() async throws -> RetryPlan {
        let runs = try await latestReconciliation()
        var stored: [StoredDiscrepancy] = []
        for run in runs {
            stored += try await store.discrepancies(reconciliationRunID: run.id)
        }
        let repairable = stored.map(\.discrepancy).filter { [.unreported, .lostAfterAck].contains($0.kind) && !$0.usageRowIDs.isEmpty }
        let extras = stored.filter { $0.discrepancy.kind == .extraInStripe && $0.discrepancy.customerID != nil && $0.resolution == nil }
        if repairable.isEmpty && extras.isEmpty {
            return RetryPlan(candidates: try await unreportedRows(judged: runs), extras: [], source: "unreported rows")
        }
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
        return RetryPlan(candidates: Self.unique(candidates), extras: extras, source: "reconciliation")
    }

    /// The reconciliation runs (one per meter) of the newest reconcile job run.
    func latestReconciliation() async throws -> [StoredReconciliationRun] {
        let runs = try await store.reconciliationRuns(jobRunID: nil)
        guard let newest = runs.first else { return [] }
        guard let jobRunID = newest.jobRunID else { return [newest] }
        return runs.filter { $0.jobRunID == jobRunID }
    }

    /// Unreported, billable rows older than the grace period; rows inside a range a reconciliation judged
    /// clean are left out, since Stripe has their usage under an identifier Tally cannot see.
    func unreportedRows(judged runs: [StoredReconciliationRun]) async throws -> [RetryCandidate] {
        let settled = now.addingTimeInterval(-settings.gracePeriod)
        let start = range?.start ?? now.addingTimeInterval(-GapClassifier.stripeTimestampLimit)
        let end = min(range?.end ?? settled, settled)
        guard start < end else { return [] }
        let rows = try await store.usageRows(from: start, to: end, customer: nil)
        let candidates = rows.filter { row in
            row.reportedAt == nil && row.teamID != nil && row.stripeCustomerID != nil && row.tokens >= 0
                && !runs.contains { $0.start <= row.createdAt && row.createdAt < $0.end }
        }.map { RetryCandidate(row: $0, meter: defaultMeter, kind: .unreported) }
        return Self.unique(candidates)
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
