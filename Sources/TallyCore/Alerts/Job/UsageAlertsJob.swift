import Foundation
import Logging

/// `tally-alerts`: each team's usage against its plan allowance for its billing period; notifications at
/// `USAGE_ALERT_THRESHOLDS` once per team, period and threshold; the block flag at `USAGE_CAP_HARD_LIMIT`.
///
/// The ledger (`tally_usage_notifications`, unique per team, period, threshold and channel) is written before
/// anything is sent and marked after, so a re-run is silent, a failed channel is retried by the next run
/// without holding up the others, and a new period re-arms every threshold. The arithmetic is
/// `UsageAlertPlanner`'s; `UsageAlertExecutor` claims, sends and records.
public struct UsageAlertsJob: TallyJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "alerts"

    /// The storage roles alerts read and write: period usage, contacts, the ledger and caps, the synced
    /// subscription state and items (kept by `tally-events`), and the app's teams.
    public typealias Store = UsageAlertStore & SubscriptionStateSource & SubscriptionItemSource & TeamDirectory

    /// The settings alerts read.
    public struct Settings: Sendable {
        /// `USAGE_ALERT_THRESHOLDS`, `USAGE_CAP_WARNING_THRESHOLD`, `USAGE_CAP_HARD_LIMIT`.
        public var thresholds: AlertThresholds
        /// `PLANS`.
        public var plans: PlanCatalog
        /// `ALERT_EMAIL`, told when a team reaches the hard limit.
        public var opsRecipients: [String]
        /// `REPORTS_DIR`.
        public var reportsDirectory: URL

        public init(thresholds: AlertThresholds, plans: PlanCatalog, opsRecipients: [String], reportsDirectory: URL) {
            self.thresholds = thresholds
            self.plans = plans
            self.opsRecipients = opsRecipients
            self.reportsDirectory = reportsDirectory
        }
    }

    public var store: any Store
    /// Reads the `tally_tokens` metadata of products `PLANS` lacks.
    public var stripe: any StripeAPI
    /// Delivers each notice (the live one emails, writes in-app rows and posts webhooks).
    public var notifier: any UsageNotifier
    public var logger: Logger
    public var clock: any TallyClock
    /// Checked before each team's notices.
    public var interrupt: InterruptFlag
    public var jobRun: JobRun
    public var settings: Settings
    /// Teams whose notices go out together, in one notifier batch and one ledger transaction.
    public var noticeBatchSize = 500

    public init(store: any Store, stripe: any StripeAPI, notifier: any UsageNotifier, logger: Logger, clock: any TallyClock,
                interrupt: InterruptFlag, jobRun: JobRun, settings: Settings) {
        self.store = store
        self.stripe = stripe
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        self.interrupt = interrupt
        self.jobRun = jobRun
        self.settings = settings
    }

    /// Runs the evaluation.
    public func run() async throws -> JobReport {
        try await evaluate().jobReport
    }

    /// The run, with its counts.
    public func evaluate() async throws -> UsageAlertsSummary {
        let now = clock.now()
        var summary = UsageAlertsSummary(dryRun: jobRun.dryRun)

        // Subscriptions reach Tally only through tally-events; without one complete listing a team on a
        // subscription older than Stripe's 30 days of events would look like it has none.
        guard try await store.latestSubscriptionListing() != nil else { throw SubscriptionStateNeverSynced() }
        let teams = try await store.teams()
        let plans = try await allowances(of: teams, now: now, skipped: &summary.skipped)
        try interrupt.check()

        // One aggregate query for every team's period, then everything else in memory. The ledger, caps and
        // webhooks are read meanwhile: on SQLite the aggregate runs on read-only connections of its own.
        let earliest = plans.map(\.period.start).min() ?? now
        async let periodUsage = store.periodUsage(plans.map(\.period), now: now)
        async let ledgerRows = store.usageNotifications(periodStartingAtOrAfter: earliest)
        async let capRows = store.usageCaps()
        async let webhookRows = store.teamWebhooks()
        let (usage, ledger, previousCaps, webhooks) = try await (periodUsage, ledgerRows, capRows, webhookRows)
        let plan = UsageAlertPlanner(thresholds: settings.thresholds, now: now).plan(
            teams: plans, usage: usage, ledger: ledger, previousCaps: previousCaps, teamsWithWebhook: Set(webhooks.keys))
        summary.evaluated = plans.count
        summary.recorded = plan.recordedThresholds
        summary.newlyBlocked = plan.newlyBlocked
        summary.unblocked = plan.unblocked
        summary.blocked = plan.blocked

        if jobRun.dryRun {
            for claim in plan.claims where claim.key.channel == .inApp || claim.key.channel == .email {
                logger.info("dry run: would notify team \(claim.key.teamID) of \(Int(claim.key.threshold * 100))% on \(claim.key.channel.rawValue)")
            }
            return summary
        }

        let executor = UsageAlertExecutor(store: store, notifier: notifier, opsRecipients: settings.opsRecipients,
                                          logger: logger, interrupt: interrupt, now: now, batchSize: noticeBatchSize)
        // The report needs only the plan, so it is written while the notices go out.
        let (skipped, thresholds, directory) = (summary.skipped, settings.thresholds, settings.reportsDirectory)
        async let reportFile = Self.writeReport(plan.evaluations, skipped: skipped, teams: teams, thresholds: thresholds,
                                                directory: directory, now: now)
        let outcome = try await executor.execute(plan, webhooks: webhooks)
        summary.delivered = outcome.delivered
        summary.failed = outcome.failed
        summary.reportFile = try await reportFile
        return summary
    }

    /// Writes `alerts.csv` for the day; returns where.
    private static func writeReport(_ evaluations: [TeamEvaluation], skipped: [String: TeamAllowance.SkipReason], teams: [TeamRecord],
                                    thresholds: AlertThresholds, directory: URL, now: Date) async throws -> URL {
        let report = UsageAlertsReport.table(evaluations: evaluations, skipped: skipped, teams: teams, thresholds: thresholds)
        let file = ReportPaths(root: directory).dailyFile(UsageAlertsReport.fileName, for: now)
        try await AtomicFileWriter().write(CSVWriter().data(for: report), to: file)
        return file
    }

    /// Each team's allowance and current period; the teams that have none are added to `skipped` with why.
    private func allowances(of teams: [TeamRecord], now: Date,
                            skipped: inout [String: TeamAllowance.SkipReason]) async throws -> [TeamPlan] {
        let synced = SyncedSubscriptionIndex(try await store.syncedSubscriptions())
        let references = Dictionary(try await store.teamSubscriptionReferences().map { ($0.teamID, $0) }, uniquingKeysWith: { $1 })
        let items = try await store.subscriptionItems(subscriptionID: nil)
        var resolver = TeamAllowanceResolver(catalog: settings.plans.resolving(Set(items.flatMap { [$0.priceID, $0.productID] }.compactMap { $0 })))
        resolver.productMetadata = await productMetadata(for: resolver.unmappedProducts(in: items))

        let itemsByCustomer = TeamAllowanceResolver.itemsByCustomer(items)
        var plans: [String: TeamPlan] = [:]
        for team in teams {
            // A subscription Tally never synced is not "no subscription": the team waits for tally-events.
            if let unsynced = references[team.id].flatMap(synced.unsyncedSubscription(of:)) {
                skipped[team.id] = .subscriptionNotSynced(subscriptionID: unsynced)
                logger.warning("team \(team.id) skipped: subscription \(unsynced) not synced yet")
                continue
            }
            let teamItems = team.stripeCustomerID.flatMap { itemsByCustomer[$0] } ?? []
            switch resolver.allowance(teamID: team.id, customer: team.stripeCustomerID, items: teamItems, now: now) {
            case .allowed(let tokens, _, let period):
                plans[team.id] = TeamPlan(team: team, tokens: tokens, period: period)
            case .skipped(let reason):
                skipped[team.id] = reason
                if case .unmappedPlan = reason { logger.warning("team \(team.id) skipped: \(reason)") }
                else { logger.debug("team \(team.id) skipped: \(reason)") }
            }
        }
        return Array(plans.values)
    }

    /// Product metadata for ids `PLANS` lacks; a product that cannot be read stays unmapped (and is reported).
    private func productMetadata(for products: Set<String>) async -> [String: [String: String]] {
        var metadata: [String: [String: String]] = [:]
        for id in products.sorted() {
            do {
                metadata[id] = try await stripe.product(id: id).metadata ?? [:]
            } catch {
                logger.warning("could not read Stripe product \(id) for its tally_tokens metadata: \(error)")
            }
        }
        return metadata
    }
}
