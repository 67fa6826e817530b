import Foundation
import Logging

/// Finds the rows to re-send. A row is sent only once Stripe's summaries have shown it missing: either the
/// latest reconciliation named it, or, for an unreported row no reconciliation has judged yet, retry's own
/// check of the row's window against Stripe (`UnjudgedRowCheck`). Nothing younger than the settle delay is
/// ever a candidate: the app may still be sending it.
struct RetryPlanner: Sendable {
    var store: any RetryJob.Store
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
        let aggregations = try meters.mapValues { try MeterAggregation(meter: $0) }
        let isPreAggregated = { (d: Discrepancy) in aggregations[d.meterID]?.isPreAggregated == true }
        let repairable = stored.map(\.discrepancy).filter {
            [.unreported, .lostAfterAck].contains($0.kind) && !$0.usageRowIDs.isEmpty
                || isPreAggregated($0) && $0.kind == .extraInStripe && $0.customerID != nil
        }
        // Over-counts of raw meters are Tally's own duplicates to cancel, or a person's; a pre-aggregated
        // window is mended by overwriting it instead.
        let extras = stored.filter {
            $0.discrepancy.kind == .extraInStripe && $0.discrepancy.customerID != nil && $0.resolution == nil && !isPreAggregated($0.discrepancy)
        }
        var candidates: [RetryCandidate] = []
        for discrepancy in repairable {
            guard let meter = meters[discrepancy.meterID], let aggregation = aggregations[discrepancy.meterID] else { continue }
            if aggregation.isPreAggregated {
                candidates += try await windowCandidates(discrepancy, meter: meter, aggregation: aggregation)
                continue
            }
            let wanted = Set(discrepancy.usageRowIDs)
            let rows = try await store.usageRows(from: discrepancy.windowStart, to: discrepancy.windowEnd,
                                                 customer: discrepancy.customerID)
            for row in rows where wanted.contains(row.id) && inRange(row) {
                candidates.append(RetryCandidate(row: row, meter: meter, kind: discrepancy.kind,
                                                 humanReason: discrepancy.repair == .human ? discrepancy.suggestedAction : nil))
            }
        }
        let (checked, count) = try await checkedUnjudgedRows(judged: allRuns)
        for (meter, discrepancy) in checked.windowRepairs {
            candidates += try await windowCandidates(discrepancy, meter: meter, aggregation: try MeterAggregation(meter: meter))
        }
        let source = count == 0 ? "reconciliation" : "reconciliation and \(count) unjudged rows checked against Stripe"
        return RetryPlan(candidates: Self.unique(candidates + checked.missing), extras: extras, source: source,
                         checkedAgainstStripe: count, presentInStripe: checked.present,
                         settling: try await settlingRows(), settledBefore: settledBefore)
    }

    /// Where settled usage ends: the check (like reconcile) judges whole hours up to `RECONCILE_SETTLE_MINUTES`
    /// before now, so a row written since that hour began waits too, however old it is.
    var settledBefore: Date { ReconcileRange.floor(now.addingTimeInterval(-settleDelay), to: 3_600) }

    /// The unreported, billable rows (in `--since`/`--until`, when given) written at or after `settledBefore`:
    /// left out of the plan, and named in the summary so a backlog that did not go out is explained.
    func settlingRows() async throws -> Set<String> {
        let start = max(settledBefore, range?.start ?? .distantPast)
        let end = range?.end ?? now.addingTimeInterval(1)
        guard start < end else { return [] }
        return Set(try await store.usageRows(from: start, to: end, customer: nil)
            .filter { $0.reportedAt == nil && $0.isBillable && $0.createdAt >= start }.map(\.id))
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
    ///
    /// The rows of `unconfirmed` and `pending` deliveries (sent or maybe sent, outcome unknown) are checked
    /// the same way whatever a reconciliation judged: the summaries settle them, or pin them missing.
    func checkedUnjudgedRows(judged runs: [StoredReconciliationRun]) async throws -> (UnjudgedRowCheck.Outcome, Int) {
        let settled = now.addingTimeInterval(-settleDelay)
        let start = range?.start ?? now.addingTimeInterval(-GapClassifier.stripeTimestampLimit)
        let end = min(range?.end ?? settled, settled)
        var rows: [UsageRow] = []
        if start < end {
            rows = try await store.usageRows(from: start, to: end, customer: nil).filter { row in
                row.reportedAt == nil && row.isBillable
                    && !runs.contains { $0.start <= row.createdAt && row.createdAt < $0.end }
            }
        }
        let listed = Set(rows.map(\.id))
        rows += try await unconfirmedRows().filter { !listed.contains($0.id) }
        guard !rows.isEmpty else { return (.init(), 0) }
        let check = UnjudgedRowCheck(stripe: stripe, usage: store, meters: meters, defaultMeter: defaultMeter,
                                     now: now, settleDelay: settleDelay, logger: logger, interrupt: interrupt)
        return (try await check.check(rows.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }), rows.count)
    }

    /// The usage rows of deliveries whose send may have reached Stripe without Tally learning the outcome:
    /// `unconfirmed` ones, and `pending` ones (a run killed between the send and storing its answer leaves
    /// one). A pre-aggregated window's delivery has no row: the next reconciliation of its window decides.
    func unconfirmedRows() async throws -> [UsageRow] {
        var rows: [UsageRow] = []
        let open = try await store.deliveries(status: .unconfirmed) + store.deliveries(status: .pending)
        for delivery in open {
            // The delivery keeps the row's time to the second; a second either side finds the row whatever its fraction.
            let found = try await store.usageRows(from: delivery.eventTimestamp.addingTimeInterval(-1),
                                                  to: delivery.eventTimestamp.addingTimeInterval(2), customer: delivery.customerID)
            rows += found.filter { $0.id == delivery.usageRowID && inRange($0) }
        }
        return rows
    }

    /// One event per window of a pre-aggregated meter inside the discrepancy, carrying the window's whole
    /// value as the app's rows give it now (the window is settled), timestamped at its latest row. A window
    /// with nothing to send (no usage on a `count` or `last` meter) is left out.
    func windowCandidates(_ discrepancy: Discrepancy, meter: Meter, aggregation: MeterAggregation) async throws -> [RetryCandidate] {
        guard let window = aggregation.window, let customer = discrepancy.customerID else { return [] }
        var candidates: [RetryCandidate] = []
        var start = window.start(of: discrepancy.windowStart)
        while start < discrepancy.windowEnd {
            let end = start.addingTimeInterval(window.seconds)
            defer { start = end }
            let rows = try await store.usageRows(from: start, to: end, customer: customer).filter(\.isBillable)
            // An empty window is sent (as 0) only when it is the discrepancy itself: Stripe over-counts there.
            let isTheGap = discrepancy.windowEnd.timeIntervalSince(discrepancy.windowStart) <= window.seconds
            guard !rows.isEmpty || (aggregation.formula == .sum && isTheGap) else { continue }
            let value = aggregation.windowEventValue(of: rows)
            let row = UsageRow(
                id: "\(window.rawValue) \(JobTimeRange.format(start))", teamID: discrepancy.teamID ?? rows.first?.teamID,
                stripeCustomerID: customer, userID: nil, action: "\(window.rawValue) total", tokens: value,
                createdAt: rows.last?.createdAt ?? start,
                meterEventIdentifier: MeterEventIdentifier.forWindow(customerID: customer, eventName: meter.eventName, start: start, value: value),
                reportedAt: nil)
            guard range.map({ $0.start <= row.createdAt && row.createdAt < $0.end }) ?? true else { continue }
            candidates.append(RetryCandidate(row: row, meter: meter, kind: .unreported,
                                             humanReason: discrepancy.repair == .human ? discrepancy.suggestedAction : nil))
        }
        return candidates
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
