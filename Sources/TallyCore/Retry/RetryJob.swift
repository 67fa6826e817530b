import Foundation
import Logging

/// The `tally-retry` use-case: re-sends usage Stripe never received with stable identifiers, cancels
/// duplicates Tally caused while Stripe allows, and lists for a person what may not be sent safely.
public struct RetryJob: TallyJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "retry"

    /// The storage roles retry reads and writes: the app's usage, the latest reconciliation, the deliveries.
    public typealias Store = UsageSource & ReconciliationStore & MeterEventDeliveryStore & CustomerNameCache & InvoiceLookup

    /// The settings retry reads, with defaults that suit a nightly run.
    ///
    /// There is deliberately no grace period of its own: retry holds back every row younger than
    /// `RECONCILE_SETTLE_MINUTES`, the same delay reconciliation uses, because the app may still be sending
    /// such a row under an identifier Tally cannot see (a re-send would then be counted twice).
    public struct Settings: Sendable {
        /// `STRIPE_METER_ID`, in order: unreported rows found without a reconciliation go to the first.
        public var meterIDs: [String]
        /// `RECONCILE_SETTLE_MINUTES`, in seconds.
        public var settleDelay: TimeInterval
        /// `REPORTS_DIR`.
        public var reportsDirectory: URL
        public var opsMail: OpsMail
        /// Meter events in flight at once; the Stripe client rate-limits itself below this.
        public var concurrentSends: Int
        /// Dashboard links in the key's mode (test or live), for the needs-a-human email.
        public var dashboard: StripeDashboardLinks
        /// Deliveries recorded before sending, and answers stored, per transaction: a quarter of a second
        /// of Stripe's live meter-event limit, so commits never pace the sends, and a run killed mid-way
        /// leaves at most this many answers unstored (their rows are replayed under the same key next run).
        public var deliveryBatchSize: Int

        public init(meterIDs: [String], settleDelay: TimeInterval, reportsDirectory: URL, opsMail: OpsMail,
                    concurrentSends: Int = 32, dashboard: StripeDashboardLinks = StripeDashboardLinks(liveMode: false),
                    deliveryBatchSize: Int = 250) {
            self.dashboard = dashboard
            self.deliveryBatchSize = max(1, deliveryBatchSize)
            self.meterIDs = meterIDs
            self.settleDelay = settleDelay
            self.reportsDirectory = reportsDirectory
            self.opsMail = opsMail
            self.concurrentSends = max(1, concurrentSends)
        }
    }

    public var store: any Store
    public var stripe: any StripeAPI
    public var mailer: any Mailer
    public var logger: Logger
    public var clock: any TallyClock
    /// Checked before each send: a signal stops the run, keeping what was sent.
    public var interrupt: InterruptFlag
    public var jobRun: JobRun
    public var settings: Settings

    public init(store: any Store, stripe: any StripeAPI, mailer: any Mailer, logger: Logger, clock: any TallyClock,
                interrupt: InterruptFlag, jobRun: JobRun, settings: Settings) {
        self.store = store
        self.stripe = stripe
        self.mailer = mailer
        self.logger = logger
        self.clock = clock
        self.interrupt = interrupt
        self.jobRun = jobRun
        self.settings = settings
    }

    private var dryRun: Bool { jobRun.dryRun }

    /// Runs one retry.
    public func run() async throws -> JobReport {
        let fetched = try await ConfiguredMeters.fetch(settings.meterIDs, stripe: stripe)
        let now = clock.now()
        // Unreported rows found without a reconciliation go to the first meter, as reconcile judges them
        // (`ConfiguredMeters` never returns none).
        let defaultMeter = fetched[0]
        let meters = Dictionary(fetched.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let range: JobTimeRange? = jobRun.since == nil && jobRun.until == nil ? nil
            : try jobRun.range(default: JobTimeRange(start: now.addingTimeInterval(-GapClassifier.stripeTimestampLimit), end: now))

        let settleDelay = settings.settleDelay
        let planner = RetryPlanner(store: store, stripe: stripe, meters: meters, defaultMeter: defaultMeter,
                                   now: now, settleDelay: settleDelay, range: range, logger: logger,
                                   interrupt: interrupt)
        let plan = try await planner.plan()
        logger.info("planned retry", metadata: [
            "source": "\(plan.source)", "rows": "\(plan.candidates.count)", "extras": "\(plan.extras.count)"])

        if !dryRun { try await settleConfirmed(plan.presentInStripe, now: now) }
        // Read after settling, so a delivery the summaries just confirmed is not sent again.
        let existing = try await store.deliveries(identifiers: plan.candidates.map(\.identifier))
        let stored = Dictionary(existing.map { ($0.identifier, $0) }, uniquingKeysWith: { first, _ in first })

        let rules = RetryRules(now: now, settleDelay: settleDelay)
        var results: [RetryRowResult] = []
        var toSend: [RetryCandidate] = []
        var alreadySettled = 0
        var heldBack = 0
        // Rows the app may still be sending: the planner leaves out the unjudged ones, the rules the rest.
        var settling = plan.settling
        var settledBefore = plan.settledBefore
        var needsHumanDeliveries: [MeterEventDelivery] = []
        for candidate in plan.candidates {
            switch rules.verdict(for: candidate, existing: stored[candidate.identifier]) {
            case .send:
                if dryRun {
                    results.append(RetryRowResult(candidate, outcome: .wouldSend, detail: "dry run: not sent"))
                } else {
                    toSend.append(candidate)
                }
            case .settled:
                alreadySettled += 1
            case .holdBack(let reason):
                if candidate.row.isBillable, candidate.row.createdAt > now.addingTimeInterval(-settleDelay) {
                    settling.insert(candidate.row.id)
                    settledBefore = min(settledBefore, now.addingTimeInterval(-settleDelay))
                } else {
                    heldBack += 1
                }
                logger.info("held back", metadata: ["usage_row": "\(candidate.row.id)", "reason": "\(reason)"])
            case .needsHuman(let reason, let fix):
                if !dryRun && stored[candidate.identifier] == nil {
                    needsHumanDeliveries.append(candidate.delivery(status: .needsHuman, now: now, note: reason))
                }
                results.append(RetryRowResult(candidate, outcome: .needsHuman, detail: reason, suggestedFix: fix))
            }
        }

        _ = try await store.recordDeliveries(needsHumanDeliveries)

        var interrupted = false
        do {
            results += try await send(toSend, width: settings.concurrentSends, batchSize: settings.deliveryBatchSize)
        } catch let stop as PartialSend {
            results += stop.results
            interrupted = true
        }
        if !interrupted {
            let canceller = DuplicateCanceller(stripe: stripe, store: store, meters: meters, now: now, dryRun: dryRun)
            for extra in plan.extras {
                if interrupt.isRequested { interrupted = true; break }
                results += try await canceller.repair(extra)
            }
        }

        if dryRun {
            for planned in results.prefix(50) where planned.outcome != .needsHuman {
                logger.notice("dry run: would \(planned.outcome == .wouldCancel ? "cancel" : "send")", metadata: [
                    "usage_row": "\(planned.usageRowID)", "identifier": "\(planned.identifier)",
                    "customer": "\(planned.customerID)", "value": "\(planned.value)"])
            }
        }
        let report = RetryReport(results: results, date: now)
        let files = try await report.write(to: ReportPaths(root: settings.reportsDirectory))
        logger.info("wrote retry report", metadata: ["files": "\(files.map(\.path).joined(separator: ","))"])
        if !report.needsHuman.isEmpty { try await sendAlert(report) }
        try interrupt.check()

        let count = { (outcome: RetryRowResult.Outcome) in results.filter { $0.outcome == outcome }.count }
        let summary = "\(dryRun ? "dry run: \(count(.wouldSend)) would be sent, \(count(.wouldCancel)) cancelled" : "\(count(.sent)) sent, \(count(.alreadyDelivered)) already in Stripe, \(count(.cancelled)) duplicates cancelled"), "
            + "\(count(.pending)) left for the next run, \(count(.unconfirmed)) unconfirmed (settled from Stripe's summaries next run), \(count(.failed)) failed, \(report.needsHuman.count) need a human, \(alreadySettled) settled earlier"
            + (heldBack > 0 ? ", \(heldBack) held back (not billable as recorded)" : "")
            + (settling.isEmpty ? "" : ", \(settling.count) not settled yet held back (written since \(JobTimeRange.format(settledBefore)), RECONCILE_SETTLE_MINUTES before now to the whole hour: the app may still be sending them, and a later run sends what is still missing)")
        logger.notice("\(summary)")
        return JobReport(itemsProcessed: results.count, itemsFailed: count(.failed),
                         needsHuman: !report.needsHuman.isEmpty, summary: summary)
    }

    /// Deliveries `unconfirmed` (sent, outcome unknown) or `pending` (maybe sent by a run killed before it
    /// stored the answer) whose rows Stripe's summaries now show present are settled as sent: the usage is
    /// counted, and a re-send could only add a copy once Stripe's 24-hour identifier window has passed.
    func settleConfirmed(_ rows: [UsageRow], now: Date) async throws {
        guard !rows.isEmpty else { return }
        let pending = try await store.deliveries(identifiers: rows.map(MeterEventIdentifier.forRow))
            .filter { $0.status == .unconfirmed || $0.status == .pending }
        try await store.updateDeliveries(pending.map { delivery in
            var delivery = delivery
            delivery.status = .sent
            delivery.lastError = "confirmed by Stripe's summaries after an unclear answer"
            delivery.sentAt = delivery.sentAt ?? now
            delivery.updatedAt = now
            return delivery
        })
        if !pending.isEmpty {
            logger.notice("settled deliveries Stripe's summaries confirm", metadata: ["count": "\(pending.count)"])
        }
    }
}
