import Foundation
import Logging

/// Retry's own look at Stripe for unreported rows no reconciliation has judged: the days holding them are
/// compared with Stripe's summaries for their customers (the same comparison and drill-down
/// `tally-reconcile` runs), and only rows pinned as missing come back.
///
/// Without this, an unreported row is only a guess: the app may have sent it under its own identifier and
/// never recorded that, and a re-send under `tu_<id>` would then be counted twice.
struct UnjudgedRowCheck: Sendable {
    var stripe: any StripeAPI
    var usage: any UsageSource
    var meters: [String: Meter]
    var defaultMeter: Meter
    var now: Date
    var settleDelay: TimeInterval
    var logger: Logger
    var interrupt: InterruptFlag

    /// What the check found.
    struct Outcome: Sendable {
        /// Rows Stripe's summaries show missing (with a person's reason where Stripe can no longer take them).
        var missing: [RetryCandidate] = []
        /// Rows in windows where Stripe agrees with the app: Stripe has their usage.
        var present: [UsageRow] = []
        /// Discrepant windows of pre-aggregated meters: mended by re-sending the window's whole value.
        var windowRepairs: [(meter: Meter, discrepancy: Discrepancy)] = []
    }

    /// Checks `rows` (unreported, billable, settled) against Stripe's summaries.
    func check(_ rows: [UsageRow]) async throws -> Outcome {
        guard let earliest = rows.map(\.createdAt).min() else { return Outcome() }
        let requested = JobTimeRange(start: JobTimeRange.startOfUTCDay(earliest), end: now)
        let range = ReconcileRange(requested: requested, now: now, settleDelay: settleDelay)
        guard !range.isEmpty else { return Outcome() }
        let customers = Set(rows.compactMap(\.stripeCustomerID))
        let wanted = Set(rows.map(\.id))

        // With several meters a customer's usage belongs to the meter it has a metered item on.
        let ordered = [defaultMeter] + meters.values.filter { $0.id != defaultMeter.id }.sorted { $0.id < $1.id }
        let subscribed = ordered.count > 1 ? ReconcileJob.customersByMeter(try await stripe.subscriptions(status: "all")) : [:]
        let aggregate = try await usage.dailyUsage(from: range.start, to: range.end, now: now)
        var outcome = Outcome()
        for (index, meter) in ordered.enumerated() {
            let days = aggregate.days.filter { day in
                guard let customer = day.stripeCustomerID, customers.contains(customer) else { return false }
                return ReconcileJob.meterIndex(for: customer, meters: ordered.map(\.id), subscribed: subscribed) == index
            }
            guard !days.isEmpty else { continue }
            let aggregation = try MeterAggregation(meter: meter)
            let reconciler = MeterReconciler(stripe: stripe, usage: usage, meter: meter, aggregation: aggregation,
                                             range: range, now: now, logger: logger, interrupt: interrupt)
            let found = try await reconciler.run(localDays: days, subscribedCustomers: [], knownCustomers: customers,
                                                 badRows: BadUsageRows())
            let compared = Set(days.compactMap(\.stripeCustomerID)).subtracting(found.failedCustomers)
            if aggregation.isPreAggregated {
                // Only windows holding an unjudged row are this check's to mend.
                for discrepancy in found.discrepancies where discrepancy.repair == .retry
                    && discrepancy.usageRowIDs.contains(where: wanted.contains) {
                    outcome.windowRepairs.append((meter, discrepancy))
                }
                continue
            }
            var named: [String: Discrepancy] = [:]
            for discrepancy in found.discrepancies where discrepancy.kind == .unreported {
                for id in discrepancy.usageRowIDs where wanted.contains(id) { named[id] = discrepancy }
            }
            for row in rows {
                guard let customer = row.stripeCustomerID, compared.contains(customer) else { continue }
                if let discrepancy = named[row.id] {
                    outcome.missing.append(RetryCandidate(
                        row: row, meter: meter, kind: .unreported,
                        humanReason: discrepancy.repair == .human ? discrepancy.suggestedAction : nil))
                } else if !found.discrepancies.contains(where: { $0.customerID == customer && $0.windowStart <= row.createdAt && row.createdAt < $0.windowEnd }),
                          row.createdAt < range.end {
                    outcome.present.append(row)
                }
            }
        }
        logger.info("checked unjudged rows against Stripe", metadata: [
            "rows": "\(rows.count)", "missing": "\(outcome.missing.count)", "present": "\(outcome.present.count)",
            "customers": "\(customers.count)"])
        return outcome
    }
}
