import Foundation

/// What one `tally-reconcile` run found over every meter, and what follows from it.
public struct ReconciliationOutcome: Sendable, Equatable {
    public var meters: [MeterReconciliation]
    public var range: ReconcileRange
    /// `RECONCILE_ALERT_RATIO`: alert when the absolute discrepancy exceeds this share of usage.
    public var alertRatio: Double
    /// When the comparison finished.
    public var finishedAt: Date

    public init(meters: [MeterReconciliation], range: ReconcileRange, alertRatio: Double, finishedAt: Date) {
        self.meters = meters
        self.range = range
        self.alertRatio = alertRatio
        self.finishedAt = finishedAt
    }

    public var discrepancies: [Discrepancy] { meters.flatMap(\.discrepancies) }
    public var localTotal: Int64 { meters.reduce(0) { $0 + $1.localTotal } }
    public var stripeTotal: Int64 { meters.reduce(0) { $0 + $1.stripeTotal } }
    public var absoluteDiscrepancy: Int64 { meters.reduce(0) { $0 + $1.absoluteDiscrepancy } }
    public var customers: Int { meters.reduce(0) { $0 + $1.customers } }
    public var failedCustomers: [String] { meters.flatMap(\.failedCustomers) }
    /// Bad rows are the same app rows whichever meter is judged, so the first meter's count is the count.
    public var badRows: BadUsageRows { meters.first?.badRows ?? BadUsageRows() }

    /// The absolute discrepancy as a share of local usage; `nil` when there was no local usage.
    public var ratio: Double? {
        localTotal > 0 ? Double(absoluteDiscrepancy) / Double(localTotal) : nil
    }

    /// The discrepancy is larger than the alert ratio allows (any gap at all when there was no usage).
    public var exceedsAlertRatio: Bool {
        guard let ratio else { return absoluteDiscrepancy > 0 }
        return ratio > alertRatio
    }

    /// Gaps `tally-retry` can close on its own.
    public var repairable: [Discrepancy] { discrepancies.filter { $0.repair == .retry } }
    /// Gaps a person must look at.
    public var needingHuman: [Discrepancy] { discrepancies.filter { $0.repair == .human } }

    /// Whether a person must look: over the ratio, or any gap beyond `tally-retry`.
    public var needsHuman: Bool { exceedsAlertRatio || !needingHuman.isEmpty || !failedCustomers.isEmpty }

    /// The day the reports are filed under: the last day of the requested range.
    public var reportDay: Date {
        JobTimeRange.startOfUTCDay(range.requested.end.addingTimeInterval(-1))
    }

    /// Usage gaps, largest first.
    public var largestGaps: [Discrepancy] {
        discrepancies.filter(\.isUsage).sorted {
            abs($0.difference) != abs($1.difference) ? abs($0.difference) > abs($1.difference) : $0.windowStart < $1.windowStart
        }
    }

    /// One line for the log and the run record.
    public var summary: String {
        let count = discrepancies.count
        var text = "\(count) \(count == 1 ? "discrepancy" : "discrepancies") over \(customers) customers, "
            + "\(absoluteDiscrepancy) of \(localTotal) usage"
        if let ratio { text += String(format: " (%.2f%%)", ratio * 100) }
        text += "; \(repairable.count) for tally-retry, \(needingHuman.count) \(needingHuman.count == 1 ? "needs" : "need") a human"
        if badRows.total > 0 { text += "; \(badRows.total) bad rows skipped" }
        if !failedCustomers.isEmpty { text += "; \(failedCustomers.count) customers could not be compared" }
        return text
    }
}
