import Foundation

/// Reads what the dashboard needs from the store besides the report's own data: the reconciled windows of
/// the last 30 days, the failed meter-event deliveries, the usage caps and the last 30 days' Stripe calls,
/// through their existing ports.
public struct DashboardGatherer: Sendable {
    /// Every role the dashboard reads, for a caller that holds one store.
    public typealias Store = ReconciliationStore & MeterEventDeliveryStore & UsageCapStore & ReportingSource

    public var reconciliations: any ReconciliationStore
    public var deliveries: any MeterEventDeliveryStore
    public var caps: any UsageCapStore
    public var calls: any ReportingSource

    public init(reconciliations: any ReconciliationStore, deliveries: any MeterEventDeliveryStore, caps: any UsageCapStore,
                calls: any ReportingSource) {
        self.reconciliations = reconciliations
        self.deliveries = deliveries
        self.caps = caps
        self.calls = calls
    }

    /// The dashboard for the report's `data` (gathered as of `data.now`).
    public func gather(_ data: ReportingData) async throws -> DashboardData {
        let windows = try await recentWindows(now: data.now)
        let failed = try await deliveries.deliveries(status: .failed)
        let caps = try await caps.usageCaps()
        // Up to and including the current second: call times are stored as whole seconds, and the jobs of one
        // night that ran in the same second as the report are part of its picture.
        let recentCalls = try await calls.apiCalls(from: DashboardData.recentStart(now: data.now),
                                                   to: StoredTime.date(StoredTime.seconds(data.now) + 1))
        return DashboardData.build(from: data, windows: windows, failedDeliveries: failed, caps: caps, recentCalls: recentCalls)
    }

    /// The windows of the last 30 days, each (meter, customer, day) from the newest run that judged it:
    /// a later night re-judges earlier days, and its figures replace the older ones rather than add to them.
    func recentWindows(now: Date) async throws -> [ReconciliationWindow] {
        let start = DashboardData.recentStart(now: now)
        struct Key: Hashable {
            var meter: String
            var customer: String
            var day: Date
        }
        var claimedBy: [Key: Int64] = [:]
        var kept: [ReconciliationWindow] = []
        // Runs come newest first, so the first run to reach a key owns it.
        for run in try await reconciliations.reconciliationRuns(jobRunID: nil) where run.end > start {
            for window in try await reconciliations.reconciliationWindows(reconciliationRunID: run.id) where window.start >= start {
                let key = Key(meter: window.meterID, customer: window.customerID, day: JobTimeRange.startOfUTCDay(window.start))
                let owner = claimedBy[key] ?? run.id
                guard owner == run.id else { continue }
                claimedBy[key] = run.id
                kept.append(window)
            }
        }
        return kept
    }
}
