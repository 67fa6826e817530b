import Foundation

/// Pins the gaps of one discrepant customer-day to the smallest windows the data allows: one
/// `hour`-grouped summary for the day, then bisection of each discrepant hour with ungrouped summaries on
/// minute-aligned halves, breadth first, within a fixed budget of Stripe calls.
///
/// A window is final when it is one minute long, when Stripe lacks usage and the local rows share one
/// timestamp (nothing finer can separate them), or when the budget is spent (the smallest window reached is reported).
public struct DrillDown: Sendable {
    /// A window and Stripe's value in it.
    public struct Window: Sendable, Equatable {
        public var start: Date
        public var end: Date
        public var stripeValue: Int64
        public var granularity: ReconciliationWindow.Granularity
    }

    /// What the drill-down found.
    public struct Outcome: Sendable, Equatable {
        /// The final windows holding a gap.
        public var pinned: [Window]
        /// Every discrepant window compared on the way (hours and halves), for the record.
        public var visited: [Window]
        /// Stripe calls made.
        public var calls: Int
    }

    /// Calls per customer-day on top of the daily comparison, the hourly call included.
    public static let defaultCallBudget = 10

    public var stripe: any StripeAPI
    public var meterID: String
    public var customerID: String
    public var aggregation: MeterAggregation
    public var callBudget: Int

    public var formula: MeterFormula { aggregation.formula }

    public init(stripe: any StripeAPI, meterID: String, customerID: String, aggregation: MeterAggregation,
                callBudget: Int = DrillDown.defaultCallBudget) {
        self.stripe = stripe
        self.meterID = meterID
        self.customerID = customerID
        self.aggregation = aggregation
        self.callBudget = callBudget
    }

    /// A drill-down on a raw meter.
    public init(stripe: any StripeAPI, meterID: String, customerID: String, formula: MeterFormula,
                callBudget: Int = DrillDown.defaultCallBudget) {
        self.init(stripe: stripe, meterID: meterID, customerID: customerID, aggregation: MeterAggregation(formula: formula),
                  callBudget: callBudget)
    }

    /// Drills into `[start, end)` (hour-aligned) whose local rows are `rows`; `stripeTotal` is Stripe's
    /// value for the whole segment, the fallback when the hours do not show the gap.
    public func run(start: Date, end: Date, rows: [UsageRow], stripeTotal: Int64) async throws -> Outcome {
        var calls = 0
        var visited: [Window] = []
        var pinned: [Window] = []
        var queue: [Window] = []
        // A daily pre-aggregated meter keeps one event per day: the day is the finest window there is.
        if callBudget > 0 && aggregation.window != .day {
            let hourly = try await summaries(start, end, grouping: .hour)
            calls += 1
            var byHour: [Date: Int64] = [:]
            for summary in hourly { byHour[summary.startTime] = Self.value(summary) }
            var hour = start
            while hour < end {
                let next = min(hour.addingTimeInterval(3_600), end)
                let window = Window(start: hour, end: next, stripeValue: byHour[hour] ?? 0, granularity: .hour)
                if localValue(rows, window) != window.stripeValue {
                    queue.append(window)
                    visited.append(window)
                }
                hour = next
            }
        }
        if queue.isEmpty {
            // No hour shows the gap (or no budget): the segment itself is the smallest window known.
            let whole = Window(start: start, end: end, stripeValue: stripeTotal, granularity: .partialDay)
            return Outcome(pinned: [whole], visited: visited, calls: calls)
        }
        var index = 0
        while index < queue.count {
            let window = queue[index]
            index += 1
            let inside = rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end }
            let length = window.end.timeIntervalSince(window.start)
            // Rows at one instant cannot be told apart by a finer window; an excess in Stripe still can.
            let oneTimestamp = !inside.isEmpty && inside.allSatisfy { $0.createdAt == inside[0].createdAt }
                && aggregation.value(of: inside) > window.stripeValue
            let cost = formula.isAdditive ? 1 : 2
            guard length > aggregation.finestWindow, !oneTimestamp, calls + cost <= callBudget else {
                pinned.append(window)
                continue
            }
            let middle = window.start.addingTimeInterval(((length / 2) / 60).rounded(.down) * 60)
            let leftValue = try await total(window.start, middle)
            let rightValue = formula.isAdditive ? window.stripeValue - leftValue : try await total(middle, window.end)
            calls += cost
            let halves = [
                Window(start: window.start, end: middle, stripeValue: leftValue, granularity: .minutes),
                Window(start: middle, end: window.end, stripeValue: rightValue, granularity: .minutes),
            ]
            let discrepant = halves.filter { localValue(rows, $0) != $0.stripeValue }
            if discrepant.isEmpty {
                pinned.append(window)
            } else {
                queue.append(contentsOf: discrepant)
                visited.append(contentsOf: discrepant)
            }
        }
        return Outcome(pinned: pinned.sorted { $0.start < $1.start }, visited: visited, calls: calls)
    }

    private func localValue(_ rows: [UsageRow], _ window: Window) -> Int64 {
        aggregation.value(of: rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end })
    }

    private func total(_ start: Date, _ end: Date) async throws -> Int64 {
        try await summaries(start, end, grouping: nil).reduce(0) { $0 + Self.value($1) }
    }

    private func summaries(_ start: Date, _ end: Date, grouping: MeterEventSummaryGrouping?) async throws -> [MeterEventSummary] {
        try await stripe.meterEventSummaries(meterID: meterID, customer: customerID, start: start, end: end, grouping: grouping)
    }

    /// Stripe sends `aggregated_value` as a number; meters here count whole tokens.
    static func value(_ summary: MeterEventSummary) -> Int64 {
        Int64(summary.aggregatedValue.rounded())
    }
}
