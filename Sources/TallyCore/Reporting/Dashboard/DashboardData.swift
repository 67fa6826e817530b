import Foundation

/// Everything `reports/index.html` shows, computed from the report's data and the store: a pure value the
/// page renders, so a test can compare the page's figures with it.
public struct DashboardData: Sendable, Equatable {
    /// Local and Stripe tokens of one UTC day, summed over the customers and meters reconciled that day;
    /// `judged` is false for a day no run compared yet (today, usually), which the chart leaves blank
    /// rather than drawing as zero.
    public struct ReconciledDay: Sendable, Equatable {
        public var day: Date
        public var localTokens: Int64
        public var stripeTokens: Int64
        public var judged: Bool
    }

    /// Open discrepancies of one class (`unreported`, `extra_in_stripe`, ...), counted by age.
    public struct DiscrepancyClass: Sendable, Equatable {
        public var kind: String
        /// Counts of discrepancies whose window started under a day, 1 to 7 days, and over 7 days ago.
        public var byAge: [Int]
        /// The sum of their absolute differences, in tokens.
        public var tokens: Int64
        public var count: Int { byAge.reduce(0, +) }
    }

    /// Meter events Stripe never accepted (`tally_meter_event_deliveries.status = 'failed'`).
    public struct FailedDeliveries: Sendable, Equatable {
        public var count: Int
        public var tokens: Int64
        public var customers: Int
        public var oldest: Date?
    }

    /// A failed payment and where Stripe's dunning stands today.
    public struct Payment: Sendable, Equatable {
        public var invoice: String
        public var team: String
        public var amountRemaining: Int64
        public var currency: String
        public var attempts: Int
        public var dunningState: String
    }

    /// A team's usage in its current period against its plan's allowance (`tally_usage_caps`).
    public struct TeamUsage: Sendable, Equatable {
        public var team: String
        public var used: Int64
        public var allowance: Int64
        public var blocked: Bool
    }

    /// The age buckets of `DiscrepancyClass.byAge`.
    public static let ageBuckets = ["under 1 day", "1 to 7 days", "over 7 days"]
    /// How many days the local-vs-Stripe chart covers.
    public static let recentDays = 30

    public var generatedAt: Date
    /// The month the revenue and subscription figures cover (API health covers the last 30 days).
    public var period: ReportPeriod
    /// The last 30 days, oldest first, every day listed (zero when nothing was reconciled).
    public var reconciledDays: [ReconciledDay]
    public var openDiscrepancies: [DiscrepancyClass]
    public var failedDeliveries: FailedDeliveries
    public var failedPayments: [Payment]
    public var newSubscriptions: Int
    public var churnedSubscriptions: Int
    public var revenue: [CurrencyFigures]
    public var apiHealth: APIHealth
    public var teamUsage: [TeamUsage]

    /// The first day of the local-vs-Stripe chart: 00:00 UTC 29 days before `now`'s day, so today is the 30th.
    public static func recentStart(now: Date) -> Date {
        JobTimeRange.startOfUTCDay(now).addingTimeInterval(-Double(recentDays - 1) * 86_400)
    }

    /// Builds the dashboard from the report's data, the reconciled windows (newest run per meter, customer
    /// and day; see `DashboardGatherer`), the failed deliveries, the usage caps and the Stripe calls of the
    /// last 30 days (the report's own calls are its month's, which for a past month says nothing of today).
    public static func build(from data: ReportingData, windows: [ReconciliationWindow], failedDeliveries: [MeterEventDelivery],
                             caps: [UsageCapRecord], recentCalls: [APICallRecord]) -> DashboardData {
        let now = data.now
        let names = data.teamNamesByID
        let teamsByCustomer = data.teamsByCustomer
        let changes = SubscriptionChange.changes(in: data)
        return DashboardData(
            generatedAt: now, period: data.period,
            reconciledDays: reconciledDays(windows, now: now),
            openDiscrepancies: openDiscrepancies(data.discrepancies, now: now),
            failedDeliveries: FailedDeliveries(
                count: failedDeliveries.count, tokens: failedDeliveries.reduce(0) { $0 + $1.value },
                customers: Set(failedDeliveries.map(\.customerID)).count,
                oldest: failedDeliveries.map(\.eventTimestamp).min()),
            failedPayments: FailedPayment.all(in: data).map { failure in
                let invoice = failure.invoice
                return Payment(
                    invoice: invoice.number ?? invoice.id,
                    team: invoice.customer.flatMap { teamsByCustomer[$0]?.name } ?? invoice.customer ?? "",
                    amountRemaining: invoice.amountRemaining, currency: invoice.currency,
                    attempts: invoice.attemptCount ?? 0, dunningState: failure.dunningState(asOf: now))
            },
            newSubscriptions: changes.filter { $0.kind == .started }.count,
            churnedSubscriptions: changes.filter { $0.kind == .cancelled }.count,
            revenue: CurrencyFigures.figures(in: data),
            apiHealth: APIHealth.compute(from: recentCalls),
            teamUsage: currentCaps(caps, now: now).map {
                TeamUsage(team: names[$0.teamID] ?? $0.teamID, used: $0.used, allowance: $0.allowance, blocked: $0.blocked)
            })
    }

    /// Whole-day and partial-day windows summed per UTC day (hour and minute windows are drill-downs of
    /// those, so they would count twice).
    static func reconciledDays(_ windows: [ReconciliationWindow], now: Date) -> [ReconciledDay] {
        var totals: [Date: (local: Int64, stripe: Int64)] = [:]
        for window in windows where window.granularity == .day || window.granularity == .partialDay {
            let day = JobTimeRange.startOfUTCDay(window.start)
            totals[day, default: (0, 0)].local += window.localValue
            totals[day, default: (0, 0)].stripe += window.stripeValue
        }
        let start = recentStart(now: now)
        return (0..<recentDays).map { offset in
            let day = start.addingTimeInterval(Double(offset) * 86_400)
            return ReconciledDay(day: day, localTokens: totals[day]?.local ?? 0, stripeTokens: totals[day]?.stripe ?? 0,
                                 judged: totals[day] != nil)
        }
    }

    /// The latest run's unresolved discrepancies by class, each counted by the age of its window.
    static func openDiscrepancies(_ records: [DiscrepancyRecord], now: Date) -> [DiscrepancyClass] {
        var classes: [String: DiscrepancyClass] = [:]
        for record in records where record.resolution == nil {
            let age = now.timeIntervalSince(record.windowStart) / 86_400
            let bucket = age < 1 ? 0 : (age <= 7 ? 1 : 2)
            classes[record.kind, default: DiscrepancyClass(kind: record.kind, byAge: [0, 0, 0], tokens: 0)].byAge[bucket] += 1
            classes[record.kind]!.tokens += Int64(clamping: record.difference.magnitude)
        }
        return classes.values.sorted { $0.kind < $1.kind }
    }

    /// Each team's cap row for the period running at `now` (the newest one when none is running).
    static func currentCaps(_ caps: [UsageCapRecord], now: Date) -> [UsageCapRecord] {
        let byTeam = Dictionary(grouping: caps, by: \.teamID)
        return byTeam.keys.sorted { ($0.count, $0) < ($1.count, $1) }.compactMap { team in
            let rows = byTeam[team]!
            return rows.first { $0.periodStart <= now && now < $0.periodEnd } ?? rows.max { $0.periodStart < $1.periodStart }
        }
    }
}
