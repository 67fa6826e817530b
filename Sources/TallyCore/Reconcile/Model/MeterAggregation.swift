import Foundation

/// How Stripe turns a meter's events into what it bills: the formula, and for a pre-aggregated meter
/// (`event_time_window` = `hour` or `day`) the window of which only the newest event counts
/// (docs.stripe.com, "Record usage for billing", Event ingestion: a newer event in the same window
/// overwrites the previous one). Tally applies the same rules to the app's rows.
public struct MeterAggregation: Sendable, Equatable {
    /// The window a pre-aggregated meter keeps one event for, UTC-aligned.
    public enum Window: String, Sendable, Equatable {
        case hour
        case day

        public var seconds: TimeInterval { self == .hour ? 3_600 : 86_400 }

        /// The start of the window holding `date`.
        public func start(of date: Date) -> Date {
            Date(timeIntervalSince1970: (date.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
        }
    }

    public var formula: MeterFormula
    /// `nil` for a raw meter, where every event counts.
    public var window: Window?

    /// A `last` meter bills the last value of each hour, day and period: it is judged hour by hour, except
    /// when the meter keeps one event per day. Every other meter is judged on day totals first.
    public var isJudgedHourly: Bool { formula == .last && window != .day }

    public init(formula: MeterFormula, window: Window? = nil) {
        self.formula = formula
        self.window = window
    }

    /// The meter's formula and window; one Tally does not know is a data error naming the meter.
    public init(meter: Meter) throws {
        formula = try MeterFormula(meter: meter)
        guard let name = meter.eventTimeWindow else {
            window = nil
            return
        }
        guard let known = Window(rawValue: name) else {
            throw ReconcileInputError(message: "meter \(meter.id) pre-aggregates events per \"\(name)\", which Tally cannot reconcile: it knows raw meters and hour or day windows")
        }
        window = known
    }

    public var isPreAggregated: Bool { window != nil }

    /// The value Stripe should show for `rows` (oldest first) over an interval made of whole windows.
    public func value(of rows: [UsageRow]) -> Int64 {
        guard let window else { return formula.value(of: rows) }
        switch formula {
        case .sum: return formula.value(of: rows)
        case .last: return rows.last?.tokens ?? 0
        case .count:
            // One surviving event per window with usage.
            return Int64(Set(rows.map { window.start(of: $0.createdAt) }).count)
        }
    }

    /// The value of one customer-day from the local aggregate.
    public func value(of day: DailyUsage) -> Int64 {
        guard let window, formula == .count else { return formula.value(of: day) }
        switch window {
        case .day: return day.rows > 0 ? 1 : 0
        // Unknown only where two teams share a customer: the row count, an upper bound, makes a day that
        // looks discrepant be judged again from its rows, hour by hour.
        case .hour: return day.activeHours ?? day.rows
        }
    }

    /// The value a pre-aggregated window's one event must carry for `rows`: the window's total (`sum`), its
    /// latest row's tokens (`last`), or 1 (`count`, which ignores the value).
    public func windowEventValue(of rows: [UsageRow]) -> Int64 {
        switch formula {
        case .sum: rows.reduce(0) { $0 + $1.tokens }
        case .last: rows.last?.tokens ?? 0
        case .count: 1
        }
    }

    /// The shortest window the drill-down may split into: a pre-aggregated meter's own window, since Stripe
    /// knows one event per window and nothing finer.
    public var finestWindow: TimeInterval { window?.seconds ?? 60 }
}
