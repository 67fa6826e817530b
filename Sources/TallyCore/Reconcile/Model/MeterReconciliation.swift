import Foundation

/// Everything one meter's reconciliation found over the judged range.
public struct MeterReconciliation: Sendable, Equatable {
    public var meterID: String
    public var eventName: String
    /// The meter's display name in Stripe (emails name the meter by it), when it has one.
    public var displayName: String? = nil
    public var formula: MeterFormula
    /// Judged bounds: inclusive start, exclusive end.
    public var start: Date
    public var end: Date
    /// Customers compared (local, Stripe-only and team-without-customer alike).
    public var customers: Int
    /// Local value over the range, teams without a Stripe customer included.
    public var localTotal: Int64
    /// Stripe's value over the range.
    public var stripeTotal: Int64
    /// Local and Stripe values per UTC day, oldest first (the summary chart).
    public var daily: [DailyComparison]
    /// Every compared window: each customer-day, and the drill-down windows of discrepant ones.
    public var windows: [ReconciliationWindow]
    public var discrepancies: [Discrepancy]
    public var badRows: BadUsageRows
    /// Customers whose comparison failed (a Stripe error), reported and skipped.
    public var failedCustomers: [String]

    public init(meterID: String, eventName: String, formula: MeterFormula, start: Date, end: Date, customers: Int = 0,
                localTotal: Int64 = 0, stripeTotal: Int64 = 0, daily: [DailyComparison] = [],
                windows: [ReconciliationWindow] = [], discrepancies: [Discrepancy] = [],
                badRows: BadUsageRows = BadUsageRows(), failedCustomers: [String] = []) {
        self.meterID = meterID
        self.eventName = eventName
        self.formula = formula
        self.start = start
        self.end = end
        self.customers = customers
        self.localTotal = localTotal
        self.stripeTotal = stripeTotal
        self.daily = daily
        self.windows = windows
        self.discrepancies = discrepancies
        self.badRows = badRows
        self.failedCustomers = failedCustomers
    }

    /// The sum of the absolute usage gaps (bad rows are counts, not usage, and are left out).
    public var absoluteDiscrepancy: Int64 {
        discrepancies.filter(\.isUsage).reduce(0) { $0 + abs($1.difference) }
    }
}

/// Both sides of one UTC day, summed over customers.
public struct DailyComparison: Sendable, Equatable {
    /// 00:00 UTC.
    public var day: Date
    public var local: Int64
    public var stripe: Int64

    public init(day: Date, local: Int64, stripe: Int64) {
        self.day = day
        self.local = local
        self.stripe = stripe
    }
}
