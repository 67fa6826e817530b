import Foundation
import Logging

/// The `tally-reconcile` use-case: for each configured meter, compares the app's usage with Stripe's
/// per customer and UTC day, pins and classifies every gap, stores the run, writes the reports and
/// alerts when a person must look.
public struct ReconcileJob: TallyJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "reconcile"

    /// The storage roles reconciliation reads and writes: the app's usage, and the runs it keeps.
    public typealias Store = UsageSource & ReconciliationStore & AlertDigestStore & TeamDirectory & CustomerNameCache
        & InvoiceLookup

    /// The settings reconciliation reads.
    public struct Settings: Sendable {
        /// `STRIPE_METER_ID`, in order: usage of customers without a metered item is judged on the first.
        public var meterIDs: [String]
        /// `RECONCILE_LOOKBACK_DAYS`.
        public var lookbackDays: Int
        /// `RECONCILE_SETTLE_MINUTES`, in seconds.
        public var settleDelay: TimeInterval
        /// `RECONCILE_ALERT_RATIO`.
        public var alertRatio: Double
        /// `REPORTS_DIR`.
        public var reportsDirectory: URL
        public var opsMail: OpsMail
        /// `RECONCILE_REMIND_DAYS`: unchanged open problems are sent in full again after this many days.
        public var remindDays: Int
        /// Dashboard links in the key's mode (test or live).
        public var dashboard: StripeDashboardLinks
        /// Stripe calls in flight at once: enough to keep the client's rate limit busy at Stripe's latency.
        public var stripeConcurrency: Int

        public init(meterIDs: [String], lookbackDays: Int, settleDelay: TimeInterval, alertRatio: Double,
                    reportsDirectory: URL, opsMail: OpsMail, remindDays: Int = 7,
                    dashboard: StripeDashboardLinks = StripeDashboardLinks(liveMode: false), stripeConcurrency: Int = 8) {
            self.stripeConcurrency = max(1, stripeConcurrency)
            self.remindDays = remindDays
            self.dashboard = dashboard
            self.meterIDs = meterIDs
            self.lookbackDays = lookbackDays
            self.settleDelay = settleDelay
            self.alertRatio = alertRatio
            self.reportsDirectory = reportsDirectory
            self.opsMail = opsMail
        }
    }

    public var store: any Store
    public var stripe: any StripeAPI
    public var mailer: any Mailer
    public var logger: Logger
    public var clock: any TallyClock
    /// Checked between customers: a signal stops the run at the next one.
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

    /// Runs one reconciliation: compares, stores the run, writes the reports, alerts when a person must look.
    public func run() async throws -> JobReport {
        let outcome = try await reconcile()
        for meter in outcome.meters {
            _ = try await store.saveReconciliation(meter, jobRunID: jobRun.runID, createdAt: outcome.finishedAt)
        }
        let builder = ReconciliationReportBuilder(outcome: outcome)
        let files = try await builder.write(to: ReportPaths(root: settings.reportsDirectory))
        logger.info("wrote reconciliation report", metadata: ["csv": "\(files.csv.path)", "xlsx": "\(files.xlsx.path)"])
        // The ledger is read on every run: a problem announced before and gone now is reported resolved
        // even when nothing else needs a person.
        let announced = try await store.announcedProblems()
        if outcome.needsHuman || !announced.isEmpty {
            try await sendAlert(outcome, announced: announced, csv: builder.csvData)
        }
        logger.notice("\(outcome.summary)")
        let compared = outcome.meters.reduce(0) { count, meter in
            count + meter.windows.filter { $0.granularity == .day || $0.granularity == .partialDay }.count
        }
        return JobReport(itemsProcessed: compared, itemsFailed: outcome.failedCustomers.count,
                         needsHuman: outcome.needsHuman, summary: outcome.summary)
    }

    /// Compares every meter and returns what was found, without storing or sending anything.
    ///
    /// The Stripe side starts at once: each page of subscriptions queues its customers' day values for
    /// fetching while the next page is asked for, and the app's aggregate runs alongside, so the run takes
    /// about the longer of the two instead of their sum.
    public func reconcile() async throws -> ReconciliationOutcome {
        // The meters first: an unknown STRIPE_METER_ID is a configuration error before anything else is read.
        var meters: [(Meter, MeterAggregation)] = []
        for meter in try await ConfiguredMeters.fetch(settings.meterIDs, stripe: stripe) {
            meters.append((meter, try MeterAggregation(meter: meter)))
        }
        let now = clock.now()
        let requested = try jobRun.range(default: ReconcileRange.defaultRange(now: now, lookbackDays: settings.lookbackDays))
        let range = ReconcileRange(requested: requested, now: now, settleDelay: settings.settleDelay)
        logger.info("reconciling", metadata: [
            "range": "\(requested)", "judged_until": "\(JobTimeRange.format(range.end))",
            "meters": "\(settings.meterIDs.joined(separator: ","))"])
        try await store.checkUsageColumns()

        let prefetch = StripeDayPrefetch()
        let fetchers = meters.reduce(into: [String: MeterUnderComparison]()) { fetchers, entry in
            fetchers[entry.0.id] = MeterUnderComparison(stripe: stripe, usage: store, meterID: entry.0.id, aggregation: entry.1,
                                                        range: range, now: now, drillDownBudget: 0)
        }
        let interrupt = interrupt
        return try await withThrowingTaskGroup(of: Void.self) { fetching in
            fetching.addTask {
                await prefetch.run(concurrency: settings.stripeConcurrency) { key in
                    try interrupt.check()
                    return try await fetchers[key.meterID]!.fetchStripeValues(customer: key.customer)
                }
            }
            // However this ends, the fetching task must end too.
            defer { prefetch.finishQueueing() }
            async let local = localUsage(range: range, now: now)
            let listing = try await listSubscriptions(meters: meters, range: range, prefetch: prefetch)
            prefetch.finishQueueing()
            let (aggregate, badRows) = try await local

            let localCustomers = Set(aggregate.days.compactMap(\.stripeCustomerID))
            let stripeOnly = listing.byMeter.values.reduce(into: Set<String>()) { $0.formUnion($1) }.subtracting(localCustomers)
            let known = try await store.customersWithUsage(among: stripeOnly.sorted())
            var results: [MeterReconciliation] = []
            for (index, (meter, aggregation)) in meters.enumerated() {
                let days = aggregate.days.filter { day in
                    Self.meterIndex(for: day.stripeCustomerID, meters: meters.map(\.0.id), subscribed: listing.byMeter) == index
                }
                var reconciler = MeterReconciler(stripe: stripe, usage: store, meter: meter, aggregation: aggregation,
                                                 range: range, now: now, logger: logger, interrupt: interrupt,
                                                 concurrency: settings.stripeConcurrency)
                reconciler.prefetch = prefetch
                var result = try await reconciler.run(localDays: days, subscribedCustomers: listing.byMeter[meter.id] ?? [],
                                                      knownCustomers: known, badRows: badRows,
                                                      listingOrder: listing.order[meter.id] ?? [])
                if index == 0 {
                    result.discrepancies += Self.badRowDiscrepancies(badRows, meterID: meter.id, range: range, now: now)
                }
                results.append(result)
            }
            return ReconciliationOutcome(meters: results, range: range, alertRatio: settings.alertRatio,
                                         finishedAt: clock.now())
        }
    }

    /// The local side: one aggregate query over the settled range; future-dated rows lie beyond it, so a
    /// second query past the range only counts them (and the rows whose time cannot be read at all).
    func localUsage(range: ReconcileRange, now: Date) async throws -> (UsageAggregate, BadUsageRows) {
        var aggregate = UsageAggregate(days: [], badRows: BadUsageRows())
        if !range.isEmpty {
            aggregate = try await store.dailyUsage(from: range.start, to: range.end, now: now)
        }
        let beyond = try await store.dailyUsage(from: range.end, to: now.addingTimeInterval(100 * 365 * 86_400), now: now,
                                                includingUnreadable: true)
        var badRows = aggregate.badRows
        var lateBad = BadUsageRows(futureTimestamp: beyond.badRows.futureTimestamp,
                                   unreadableTimestamp: beyond.badRows.unreadableTimestamp)
        lateBad.examples = beyond.badRows.examples.filter { [.futureTimestamp, .unreadableTimestamp].contains($0.key) }
        badRows.add(lateBad)
        return (aggregate, badRows)
    }

    /// The customers with a metered item on each configured meter (canceled subscriptions too: their last
    /// days may still be in range), in the order Stripe lists them.
    struct SubscriptionListing {
        var byMeter: [String: Set<String>] = [:]
        var order: [String: [String]] = [:]
    }

    /// Lists every subscription page by page, queueing each metered customer's day values as its page arrives.
    func listSubscriptions(meters: [(Meter, MeterAggregation)], range: ReconcileRange,
                           prefetch: StripeDayPrefetch) async throws -> SubscriptionListing {
        var listing = SubscriptionListing()
        let judgedByDay = Dictionary(uniqueKeysWithValues: meters.map { ($0.0.id, !$0.1.isJudgedHourly) })
        for try await subscription in stripe.listStream(Subscription.self, path: "/v1/subscriptions",
                                                        parameters: ["status": .string("all")]) {
            guard let customer = subscription.customer else { continue }
            for item in subscription.items?.data ?? [] {
                guard let meter = item.price?.recurring?.meter,
                      listing.byMeter[meter, default: []].insert(customer).inserted else { continue }
                listing.order[meter, default: []].append(customer)
                if judgedByDay[meter] == true && !range.isEmpty {
                    await prefetch.queue(.init(meterID: meter, customer: customer))
                }
            }
        }
        return listing
    }

    /// The customers with a metered item on each meter, by meter id.
    static func customersByMeter(_ subscriptions: [Subscription]) -> [String: Set<String>] {
        var subscribed: [String: Set<String>] = [:]
        for subscription in subscriptions {
            guard let customer = subscription.customer else { continue }
            for item in subscription.items?.data ?? [] {
                if let meter = item.price?.recurring?.meter { subscribed[meter, default: []].insert(customer) }
            }
        }
        return subscribed
    }

    /// With several meters, a customer's usage is judged on the meter it has a metered item on; usage of
    /// customers with none (and of teams without a customer) on the first meter.
    static func meterIndex(for customer: String?, meters: [String], subscribed: [String: Set<String>]) -> Int {
        guard meters.count > 1, let customer else { return 0 }
        return meters.firstIndex { subscribed[$0]?.contains(customer) == true } ?? 0
    }

    /// One `bad_rows` discrepancy per kind of bad row found, naming the first rows; the values are row counts.
    static func badRowDiscrepancies(_ bad: BadUsageRows, meterID: String, range: ReconcileRange, now: Date) -> [Discrepancy] {
        UsageProblem.allCases.filter { bad[$0] > 0 }.map { problem in
            let count = bad[problem]
            let ids = bad.examples[problem] ?? []
            let listed = ids.isEmpty ? "" : " (\(ids.count == 1 ? "id" : "ids") \(ids.prefix(10).joined(separator: ", "))\(count > 10 ? ", …" : ""))"
            return Discrepancy(kind: .badRows, meterID: meterID, customerID: nil, teamID: nil, windowStart: range.requested.start,
                               windowEnd: max(range.requested.end, now), localValue: count, stripeValue: 0, difference: count,
                               repair: .human,
                               suggestedAction: "\(count) \(count == 1 ? "row" : "rows") with \(problem.reason)\(listed): fix or delete \(count == 1 ? "it" : "them") in token_usage; never billed as is",
                               usageRowIDs: problem == .totalOverflow ? [] : ids)
        }
    }

    /// Emails the digest to `ALERT_EMAIL` when it has news, records what it announced, or says in the log
    /// why it sent nothing.
    func sendAlert(_ outcome: ReconciliationOutcome, announced: [AnnouncedProblem], csv: Data) async throws {
        let recipients = settings.opsMail.recipients
        guard !recipients.isEmpty else {
            if outcome.needsHuman { logger.warning("findings need a human but ALERT_EMAIL is not set: no alert sent") }
            return
        }
        let names = await alertNames(outcome)
        let now = clock.now()
        let digest = ReconciliationAlert.digest(of: outcome, announced: announced, now: now, remindDays: settings.remindDays, names: names)
        // Customers that could not be compared are news every time: nothing about them was judged.
        guard digest.hasNews || !outcome.failedCustomers.isEmpty else {
            logger.notice("nothing changed since the last alert: no alert sent", metadata: [
                "still_open": "\(digest.stillOpen.count)", "remind_days": "\(settings.remindDays)"])
            return
        }
        let alert = ReconciliationAlert(outcome: outcome, digest: digest, names: names, links: settings.dashboard, csv: csv)
        let message = alert.message(from: settings.opsMail.sender, to: recipients, date: now)
        if jobRun.dryRun {
            logger.notice("dry run: would email the alert", metadata: [
                "subject": "\(message.subject)", "to": "\(recipients.map(\.address).joined(separator: ","))"])
            return
        }
        let delivery = try await mailer.send(message)
        // Recorded only once sent: an alert that failed to go out is announced again next run.
        try await store.replaceAnnouncedProblems(digest.ledger)
        logger.notice("sent reconciliation alert", metadata: ["subject": "\(message.subject)", "delivery": "\(delivery)"])
    }

    /// Customer names (kept by the billing events, else from Stripe in as few calls as it takes), team
    /// names from the app, meter display names as fetched at the start. Names only make the alert easier to
    /// read: whatever cannot be looked up keeps its id.
    func alertNames(_ outcome: ReconciliationOutcome) async -> ReconciliationAlert.Names {
        var names = ReconciliationAlert.Names()
        let customers = Set(Set(outcome.discrepancies.compactMap(\.customerID)).sorted().prefix(Self.namedCustomers))
        let compared = outcome.meters.map(\.customers).max() ?? 0
        names.customers = await CustomerNames(cache: store, stripe: stripe, logger: logger, concurrency: settings.stripeConcurrency)
            .names(of: customers, customerCount: compared)
        for team in (try? await store.teams()) ?? [] where !team.name.isEmpty { names.teams[team.id] = team.name }
        for meter in outcome.meters {
            if let name = meter.displayName, !name.isEmpty { names.meters[meter.meterID] = name }
        }
        names.invoices = await InvoiceLinks.lookUp(in: store, for: outcome.discrepancies, logger: logger)
        return names
    }

    /// Customers looked up by name per alert, bounding the Stripe calls of a very bad night.
    static let namedCustomers = 100
}
