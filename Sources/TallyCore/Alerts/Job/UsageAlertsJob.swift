import Foundation
import Logging

/// `tally-alerts`: each team's usage against its plan allowance for its billing period; notifications at
/// `USAGE_ALERT_THRESHOLDS` once per team, period and threshold; the block flag at `USAGE_CAP_HARD_LIMIT`.
///
/// The ledger (`tally_usage_notifications`, unique per team, period, threshold and channel) is written before
/// anything is sent and marked after, so a re-run is silent, a failed channel is retried by the next run
/// without holding up the others, and a new period re-arms every threshold.
public struct UsageAlertsJob: Sendable {
    /// Carries the team webhooks.
    public var http: any HTTPTransport
    /// Replaces the live notifier (tests inject a failing channel this way).
    public var notifier: (any UsageNotifier)?

    public init(http: any HTTPTransport, notifier: (any UsageNotifier)? = nil) {
        self.http = http
        self.notifier = notifier
    }

    /// Runs the evaluation with what `context` provides.
    public func run(_ context: JobContext) async throws -> JobReport {
        try await evaluate(context).jobReport
    }

    /// The run, with its counts.
    public func evaluate(_ context: JobContext) async throws -> UsageAlertsSummary {
        let now = context.clock.now()
        let store = context.store
        let configuration = context.configuration
        let thresholds = AlertThresholds(configuration.usageAlerts)
        var summary = UsageAlertsSummary(dryRun: context.dryRun)

        // Templates load first: a broken user template stops the run before anything is recorded.
        let notifier: any UsageNotifier
        if let injected = self.notifier {
            notifier = injected
        } else {
            notifier = LiveUsageNotifier(
                templates: try AlertTemplateSet(directory: configuration.usageAlerts.templatesDirectory),
                mailer: context.mailer, from: EmailAddress(parsing: configuration.mail.from) ?? EmailAddress(address: "tally@localhost"),
                store: store, http: http, clock: context.clock)
        }
        // Subscriptions reach Tally only through tally-events; without one complete listing a team on a
        // subscription older than Stripe's 30 days of events would look like it has none.
        guard try await store.latestSubscriptionListing() != nil else { throw SubscriptionStateNeverSynced() }
        let teams = try await store.teams()
        let synced = SyncedSubscriptionIndex(try await store.syncedSubscriptions())
        let references = Dictionary(try await store.teamSubscriptionReferences().map { ($0.teamID, $0) }, uniquingKeysWith: { $1 })
        let items = try await store.subscriptionItems(subscriptionID: nil)
        var resolver = TeamAllowanceResolver(catalog: configuration.plans)
        resolver.productMetadata = await productMetadata(for: resolver.unmappedProducts(in: items), context)

        let itemsByCustomer = TeamAllowanceResolver.itemsByCustomer(items)
        var plans: [String: (team: TeamRecord, tokens: Int64, period: TeamBillingPeriod)] = [:]
        for team in teams {
            // A subscription Tally never synced is not "no subscription": the team waits for tally-events.
            if let unsynced = references[team.id].flatMap(synced.unsyncedSubscription(of:)) {
                summary.skipped[team.id] = .subscriptionNotSynced(subscriptionID: unsynced)
                context.logger.warning("team \(team.id) skipped: subscription \(unsynced) not synced yet")
                continue
            }
            let teamItems = team.stripeCustomerID.flatMap { itemsByCustomer[$0] } ?? []
            switch resolver.allowance(teamID: team.id, customer: team.stripeCustomerID, items: teamItems, now: now) {
            case .allowed(let tokens, _, let period): plans[team.id] = (team, tokens, period)
            case .skipped(let reason):
                summary.skipped[team.id] = reason
                if case .unmappedPlan = reason { context.logger.warning("team \(team.id) skipped: \(reason)") }
                else { context.logger.debug("team \(team.id) skipped: \(reason)") }
            }
        }
        try context.interrupt.check()

        // One aggregate query for every team's period, then everything else in memory.
        let usage = try await store.periodUsage(plans.values.map(\.period), now: now)
        var usedByTeam: [String: Int64] = [:]
        for day in usage { usedByTeam[day.teamID, default: 0] += day.tokens }
        let earliest = plans.values.map(\.period.start).min() ?? now
        var ledger: [String: [UsageNotificationRecord]] = [:]
        for record in try await store.usageNotifications(periodStartingAtOrAfter: earliest) {
            ledger[record.key.teamID, default: []].append(record)
        }
        let previousCaps = Dictionary(try await store.usageCaps().map { ($0.teamID + "|" + String(StoredTime.seconds($0.periodStart)), $0) },
                                      uniquingKeysWith: { $1 })
        let webhooks = try await store.teamWebhooks()

        var claims: [UsageNotificationRecord] = []
        var caps: [UsageCapRecord] = []
        var evaluations: [TeamEvaluation] = []
        for (teamID, plan) in plans.sorted(by: { $0.key < $1.key }) {
            let used = usedByTeam[teamID] ?? 0
            let ratio = plan.tokens > 0 ? Double(used) / Double(plan.tokens) : (used > 0 ? .infinity : 0)
            let projected = UsageProjection.limitReached(used: used, allowance: plan.tokens, periodStart: plan.period.start,
                                                         periodEnd: plan.period.end, now: now)
            let inPeriod = (ledger[teamID] ?? []).filter { $0.key.periodStart == plan.period.start }
            let recorded = Set(inPeriod.map(\.key.threshold))
            let fresh = thresholds.crossed(by: ratio).filter { !recorded.contains($0) }
            // A jump over several thresholds in one night records each of them but sends one notice per
            // channel, naming the highest.
            if let highest = fresh.max() {
                var channels = thresholds.level(of: highest).channels
                if webhooks[teamID] != nil { channels.append(.webhook) }
                for threshold in fresh {
                    for channel in channels {
                        claims.append(UsageNotificationRecord(
                            key: UsageNotificationKey(teamID: teamID, periodStart: plan.period.start, threshold: threshold, channel: channel),
                            used: used, allowance: plan.tokens, sentAt: now))
                    }
                }
            }
            let blocked = ratio >= thresholds.hardLimit
            let previous = previousCaps[teamID + "|" + String(StoredTime.seconds(plan.period.start))]
            let wasBlocked = previous?.blocked ?? false
            if blocked && !wasBlocked { summary.newlyBlocked.append(teamID) }
            // An upgrade that lowers the ratio below the hard limit clears the block.
            if wasBlocked && !blocked { summary.unblocked.append(teamID) }
            if blocked { summary.blocked += 1 }
            caps.append(UsageCapRecord(
                teamID: teamID, periodStart: plan.period.start, periodEnd: plan.period.end, allowance: plan.tokens, used: used,
                blocked: blocked, blockedAt: blocked ? (wasBlocked ? previous?.blockedAt ?? now : now) : nil,
                projectedLimitAt: projected, updatedAt: now))
            evaluations.append(TeamEvaluation(team: plan.team, period: plan.period, used: used, allowance: plan.tokens,
                                              projectedLimitAt: projected, earlierPending: inPeriod.filter { $0.status != .sent }))
        }
        summary.evaluated = plans.count
        summary.recorded = Set(claims.map { "\($0.key.teamID)|\($0.key.threshold)" }).count

        if context.dryRun {
            for claim in claims where claim.key.channel == .inApp || claim.key.channel == .email {
                context.logger.info("dry run: would notify team \(claim.key.teamID) of \(Int(claim.key.threshold * 100))% on \(claim.key.channel.rawValue)")
            }
            return summary
        }

        // Ledger first, then the caps the app's access check reads, then the sending.
        _ = try await store.claimUsageNotifications(claims)
        try await store.saveUsageCaps(caps)
        for teamID in summary.newlyBlocked { context.logger.notice("team \(teamID) reached its plan's hard limit and is blocked") }
        for teamID in summary.unblocked { context.logger.notice("team \(teamID) is under its plan's hard limit again and is unblocked") }

        let claimsByTeam = Dictionary(grouping: claims, by: \.key.teamID)
        let owners = try await store.teamOwnerEmails()
        var sent: [UsageNotificationKey] = []
        for evaluation in evaluations {
            let due = evaluation.earlierPending + (claimsByTeam[evaluation.team.id] ?? [])
            guard !due.isEmpty else { continue }
            try context.interrupt.check()
            let recipients = UsageNoticeRecipients(owners: owners[evaluation.team.id] ?? [], webhook: webhooks[evaluation.team.id],
                                                   ops: configuration.mail.alertRecipients)
            for (channel, records) in Dictionary(grouping: due, by: \.key.channel).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let highest = records.map(\.key.threshold).max() ?? 0
                let notice = UsageNotice(teamID: evaluation.team.id, teamName: evaluation.team.name, threshold: highest,
                                         level: thresholds.level(of: highest), used: evaluation.used,
                                         allowance: evaluation.allowance, period: evaluation.period,
                                         projectedLimitAt: evaluation.projectedLimitAt)
                do {
                    try await notifier.deliver(notice, on: channel, recipients: recipients)
                    sent.append(contentsOf: records.map(\.key))
                    summary.delivered += 1
                    context.logger.info("notified team \(evaluation.team.id) of \(Int(highest * 100))% on \(channel.rawValue)")
                } catch {
                    // One failed channel never holds up the others; the ledger keeps it due for the next run.
                    summary.failed += 1
                    let message = String(describing: error)
                    context.logger.error("team \(evaluation.team.id): \(channel.rawValue) notification failed, retried next run: \(message)")
                    try await store.markUsageNotifications(records.map(\.key), outcome: .failed, error: message, at: now)
                }
            }
        }
        try await store.markUsageNotifications(sent, outcome: .sent, error: nil, at: now)

        let report = UsageAlertsReport.table(evaluations: evaluations, skipped: summary.skipped, teams: teams, thresholds: thresholds)
        let file = ReportPaths(root: configuration.output.reportsDirectory).dailyFile(UsageAlertsReport.fileName, for: now)
        try await AtomicFileWriter().write(CSVWriter().data(for: report), to: file)
        summary.reportFile = file
        return summary
    }

    /// Product metadata for ids `PLANS` lacks; a product that cannot be read stays unmapped (and is reported).
    private func productMetadata(for products: Set<String>, _ context: JobContext) async -> [String: [String: String]] {
        var metadata: [String: [String: String]] = [:]
        for id in products.sorted() {
            do {
                let product = try await context.stripe.send(.get("/v1/products/\(StripePath.segment(id))")).decode(Product.self)
                metadata[id] = product.metadata ?? [:]
            } catch {
                context.logger.warning("could not read Stripe product \(id) for its tally_tokens metadata: \(error)")
            }
        }
        return metadata
    }
}

/// One team's figures for this run.
struct TeamEvaluation: Sendable {
    var team: TeamRecord
    var period: TeamBillingPeriod
    var used: Int64
    var allowance: Int64
    var projectedLimitAt: Date?
    /// Ledger rows of this period from earlier runs that were not delivered.
    var earlierPending: [UsageNotificationRecord]
}
