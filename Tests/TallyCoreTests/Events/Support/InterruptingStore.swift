import Foundation
import TallyCore

/// A store that behaves like the one it wraps, except that SIGTERM "arrives" right after it has completed
/// `completionsBeforeSignal` events: the moment a real signal would most likely land, mid-queue.
struct InterruptingStore: TallyStore {
    let base: any TallyStore
    let flag: InterruptFlag
    let completionsBeforeSignal: Int
    private let completions = Counter()

    init(_ base: any TallyStore, flag: InterruptFlag, after completionsBeforeSignal: Int) {
        self.base = base
        self.flag = flag
        self.completionsBeforeSignal = completionsBeforeSignal
    }

    func completeStripeEvent(_ eventID: String, applying sync: SubscriptionSync?) async throws -> SubscriptionSyncOutcome {
        let outcome = try await base.completeStripeEvent(eventID, applying: sync)
        if await completions.increment() >= completionsBeforeSignal { flag.request(signal: SIGTERM) }
        return outcome
    }

    private actor Counter {
        var value = 0
        func increment() -> Int {
            value += 1
            return value
        }
    }

    // Everything else is the wrapped store's.
    func latestSubscriptionListing() async throws -> SubscriptionListingRecord? { try await base.latestSubscriptionListing() }
    func syncedSubscriptions() async throws -> [SyncedSubscription] { try await base.syncedSubscriptions() }
    func teamSubscriptionReferences() async throws -> [TeamSubscriptionReference] { try await base.teamSubscriptionReferences() }
    func applyListedSubscriptions(_ syncs: [SubscriptionSync]) async throws -> [SubscriptionSyncOutcome] {
        try await base.applyListedSubscriptions(syncs)
    }
    func recordSubscriptionListing(_ listing: SubscriptionListingRecord) async throws { try await base.recordSubscriptionListing(listing) }
    func teams() async throws -> [TeamRecord] { try await base.teams() }
    func abandonRuns(job: String, at date: Date) async throws -> Int { try await base.abandonRuns(job: job, at: date) }
    func latestDiscrepancies() async throws -> [DiscrepancyRecord] { try await base.latestDiscrepancies() }
    func apiCalls(from start: Date, to end: Date) async throws -> [APICallRecord] { try await base.apiCalls(from: start, to: end) }
    func saveReconciliation(_ reconciliation: MeterReconciliation, jobRunID: Int64?, createdAt: Date) async throws -> Int64 {
        try await base.saveReconciliation(reconciliation, jobRunID: jobRunID, createdAt: createdAt)
    }
    func reconciliationRuns(jobRunID: Int64?) async throws -> [StoredReconciliationRun] { try await base.reconciliationRuns(jobRunID: jobRunID) }
    func discrepancies(reconciliationRunID: Int64) async throws -> [StoredDiscrepancy] {
        try await base.discrepancies(reconciliationRunID: reconciliationRunID)
    }
    func reconciliationWindows(reconciliationRunID: Int64) async throws -> [ReconciliationWindow] {
        try await base.reconciliationWindows(reconciliationRunID: reconciliationRunID)
    }
    func customersWithUsage(among customerIDs: [String]) async throws -> Set<String> { try await base.customersWithUsage(among: customerIDs) }
    var backend: StoreBackend { base.backend }
    func close() async throws { try await base.close() }
    func apiCalls(runID: Int64?) async throws -> [APICallRecord] { try await base.apiCalls(runID: runID) }
    func tableNames() async throws -> Set<String> { try await base.tableNames() }
    func appliedMigrations() async throws -> [String] { try await base.appliedMigrations() }
    func startRun(job: String, startedAt: Date, arguments: String, dryRun: Bool) async throws -> Int64 {
        try await base.startRun(job: job, startedAt: startedAt, arguments: arguments, dryRun: dryRun)
    }
    func finishRun(id: Int64, outcome: JobRunOutcome) async throws { try await base.finishRun(id: id, outcome: outcome) }
    func recentRuns(job: String, limit: Int) async throws -> [JobRunRecord] { try await base.recentRuns(job: job, limit: limit) }
    func tryLock(job: String) async throws -> (any JobLock)? { try await base.tryLock(job: job) }
    func record(_ calls: [APICallRecord]) async throws { try await base.record(calls) }
    func dailyUsage(from start: Date, to end: Date, now: Date, includingUnreadable: Bool) async throws -> UsageAggregate {
        try await base.dailyUsage(from: start, to: end, now: now, includingUnreadable: includingUnreadable)
    }
    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow] {
        try await base.usageRows(from: start, to: end, customer: customer)
    }
    func newestStripeEventCreated() async throws -> Date? { try await base.newestStripeEventCreated() }
    func storedStripeEventIDs(among eventIDs: [String]) async throws -> Set<String> {
        try await base.storedStripeEventIDs(among: eventIDs)
    }
    func storeAndQueue(_ events: [StripeEventRecord]) async throws -> Int { try await base.storeAndQueue(events) }
    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent] {
        try await base.dueStripeEvents(now: now, after: cursor, limit: limit)
    }
    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws {
        try await base.failStripeEvent(eventID, attempt: attempt)
    }
    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry] {
        try await base.stripeEventQueue(status: status)
    }
    func stripeEvent(id eventID: String) async throws -> StripeEventRecord? { try await base.stripeEvent(id: eventID) }
    func subscriptionItems(subscriptionID: String?) async throws -> [SubscriptionItemRecord] {
        try await base.subscriptionItems(subscriptionID: subscriptionID)
    }

    // Usage alerts (UsageAlertStore).
    func periodUsage(_ periods: [TeamBillingPeriod], now: Date) async throws -> [PeriodUsageDay] {
        try await base.periodUsage(periods, now: now)
    }
    func teamOwnerEmails() async throws -> [String: [String]] { try await base.teamOwnerEmails() }
    func teamWebhooks() async throws -> [String: TeamWebhook] { try await base.teamWebhooks() }
    func saveTeamWebhook(_ webhook: TeamWebhook) async throws { try await base.saveTeamWebhook(webhook) }
    func usageNotifications(periodStartingAtOrAfter start: Date) async throws -> [UsageNotificationRecord] {
        try await base.usageNotifications(periodStartingAtOrAfter: start)
    }
    func claimUsageNotifications(_ records: [UsageNotificationRecord]) async throws -> Int {
        try await base.claimUsageNotifications(records)
    }
    func markUsageNotifications(_ keys: [UsageNotificationKey], outcome: UsageNotificationStatus, error: String?, at: Date) async throws {
        try await base.markUsageNotifications(keys, outcome: outcome, error: error, at: at)
    }
    func insertInAppNotification(_ notification: InAppNotificationRecord) async throws {
        try await base.insertInAppNotification(notification)
    }
    func inAppNotifications(teamID: String) async throws -> [InAppNotificationRecord] { try await base.inAppNotifications(teamID: teamID) }
    func saveUsageCaps(_ caps: [UsageCapRecord]) async throws { try await base.saveUsageCaps(caps) }
    func usageCaps() async throws -> [UsageCapRecord] { try await base.usageCaps() }
}

// Meter event deliveries (tally-retry).
extension InterruptingStore {
    func deliveries(identifiers: [String]) async throws -> [MeterEventDelivery] { try await base.deliveries(identifiers: identifiers) }
    func deliveries(status: MeterEventDeliveryStatus) async throws -> [MeterEventDelivery] { try await base.deliveries(status: status) }
    func recordDelivery(_ delivery: MeterEventDelivery) async throws -> MeterEventDelivery { try await base.recordDelivery(delivery) }
    func updateDelivery(_ delivery: MeterEventDelivery) async throws { try await base.updateDelivery(delivery) }
    func sentDeliveries(customerID: String, eventName: String, from start: Date, to end: Date) async throws -> [MeterEventDelivery] {
        try await base.sentDeliveries(customerID: customerID, eventName: eventName, from: start, to: end)
    }
    func resolveDiscrepancy(id: Int64, resolution: String) async throws { try await base.resolveDiscrepancy(id: id, resolution: resolution) }
}
