import Foundation
import Logging

/// The `tally-retry` use-case: re-sends usage Stripe never received with stable identifiers, cancels
/// duplicates Tally caused while Stripe allows, and lists for a person what may not be sent safely.
public enum RetryJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "retry"

    /// Runs one retry with `context`'s dependencies.
    public static func run(_ context: JobContext, settings: RetrySettings = RetrySettings()) async throws -> JobReport {
        let now = context.clock.now()
        var fetched: [Meter] = []
        for id in context.configuration.stripe.meterIDs { fetched.append(try await context.stripe.meter(id: id)) }
        // Unreported rows found without a reconciliation go to the first meter, as reconcile judges them.
        guard let defaultMeter = fetched.first else {
            throw ConfigurationError(key: "STRIPE_METER_ID", problem: "is not set", fix: "set it to the meter id(s) to re-send usage to, comma-separated")
        }
        let meters = Dictionary(fetched.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let range: JobTimeRange? = context.since == nil && context.until == nil ? nil
            : try context.range(default: JobTimeRange(start: now.addingTimeInterval(-GapClassifier.stripeTimestampLimit), end: now))

        let settleDelay = context.configuration.reconcile.settleDelay
        let planner = RetryPlanner(store: context.store, stripe: context.stripe, meters: meters, defaultMeter: defaultMeter,
                                   now: now, settleDelay: settleDelay, range: range, logger: context.logger,
                                   interrupt: context.interrupt)
        let plan = try await planner.plan()
        context.logger.info("planned retry", metadata: [
            "source": "\(plan.source)", "rows": "\(plan.candidates.count)", "extras": "\(plan.extras.count)"])

        if !context.dryRun { try await settleConfirmed(plan.presentInStripe, context: context, now: now) }
        // Read after settling, so a delivery the summaries just confirmed is not sent again.
        let existing = try await context.store.deliveries(identifiers: plan.candidates.map(\.identifier))
        let stored = Dictionary(existing.map { ($0.identifier, $0) }, uniquingKeysWith: { first, _ in first })

        let rules = RetryRules(now: now, settleDelay: settleDelay)
        var results: [RetryRowResult] = []
        var toSend: [RetryCandidate] = []
        var alreadySettled = 0
        var heldBack = 0
        for candidate in plan.candidates {
            switch rules.verdict(for: candidate, existing: stored[candidate.identifier]) {
            case .send:
                if context.dryRun {
                    results.append(RetryRowResult(candidate, outcome: .wouldSend, detail: "dry run: not sent"))
                } else {
                    toSend.append(candidate)
                }
            case .settled:
                alreadySettled += 1
            case .holdBack(let reason):
                heldBack += 1
                context.logger.info("held back", metadata: ["usage_row": "\(candidate.row.id)", "reason": "\(reason)"])
            case .needsHuman(let reason, let fix):
                if !context.dryRun && stored[candidate.identifier] == nil {
                    _ = try await context.store.recordDelivery(candidate.delivery(status: .needsHuman, now: now, note: reason))
                }
                results.append(RetryRowResult(candidate, outcome: .needsHuman, detail: reason, suggestedFix: fix))
            }
        }

        var interrupted = false
        do {
            results += try await send(toSend, context: context, width: settings.concurrentSends)
        } catch let stop as PartialSend {
            results += stop.results
            interrupted = true
        }
        if !interrupted {
            let canceller = DuplicateCanceller(stripe: context.stripe, store: context.store, meters: meters, now: now,
                                               dryRun: context.dryRun)
            for extra in plan.extras {
                if context.interrupt.isRequested { interrupted = true; break }
                results += try await canceller.repair(extra)
            }
        }

        if context.dryRun {
            for planned in results.prefix(50) where planned.outcome != .needsHuman {
                context.logger.notice("dry run: would \(planned.outcome == .wouldCancel ? "cancel" : "send")", metadata: [
                    "usage_row": "\(planned.usageRowID)", "identifier": "\(planned.identifier)",
                    "customer": "\(planned.customerID)", "value": "\(planned.value)"])
            }
        }
        let report = RetryReport(results: results, date: now)
        let files = try await report.write(to: ReportPaths(root: context.configuration.output.reportsDirectory))
        context.logger.info("wrote retry report", metadata: ["files": "\(files.map(\.path).joined(separator: ","))"])
        if !report.needsHuman.isEmpty { try await sendAlert(report, context: context) }
        try context.interrupt.check()

        let count = { (outcome: RetryRowResult.Outcome) in results.filter { $0.outcome == outcome }.count }
        let summary = "\(context.dryRun ? "dry run: \(count(.wouldSend)) would be sent, \(count(.wouldCancel)) cancelled" : "\(count(.sent)) sent, \(count(.alreadyDelivered)) already in Stripe, \(count(.cancelled)) duplicates cancelled"), "
            + "\(count(.pending)) left for the next run, \(count(.unconfirmed)) unconfirmed (settled from Stripe's summaries next run), \(count(.failed)) failed, \(report.needsHuman.count) need a human, \(alreadySettled) settled earlier"
            + (heldBack > 0 ? ", \(heldBack) held back" : "")
        context.logger.notice("\(summary)")
        return JobReport(itemsProcessed: results.count, itemsFailed: count(.failed),
                         needsHuman: !report.needsHuman.isEmpty, summary: summary)
    }

    /// Deliveries `unconfirmed` (sent, outcome unknown) or `pending` (maybe sent by a run killed before it
    /// stored the answer) whose rows Stripe's summaries now show present are settled as sent: the usage is
    /// counted, and a re-send could only add a copy once Stripe's 24-hour identifier window has passed.
    static func settleConfirmed(_ rows: [UsageRow], context: JobContext, now: Date) async throws {
        guard !rows.isEmpty else { return }
        let pending = try await context.store.deliveries(identifiers: rows.map(MeterEventIdentifier.forRow))
            .filter { $0.status == .unconfirmed || $0.status == .pending }
        for var delivery in pending {
            delivery.status = .sent
            delivery.lastError = "confirmed by Stripe's summaries after an unclear answer"
            delivery.sentAt = delivery.sentAt ?? now
            delivery.updatedAt = now
            try await context.store.updateDelivery(delivery)
        }
        if !pending.isEmpty {
            context.logger.notice("settled deliveries Stripe's summaries confirm", metadata: ["count": "\(pending.count)"])
        }
    }
}
