import Foundation

/// How a meter aggregates its events (`default_aggregation.formula`), applied the same way to local rows.
public enum MeterFormula: String, Sendable, CaseIterable {
    /// The sum of the values: local `tokens` summed.
    case sum
    /// The number of events: local rows counted.
    case count
    /// The value of the latest event: the local row with the latest `created_at`.
    case last

    /// The meter's formula; an unknown one is a data error naming the meter.
    public init(meter: Meter) throws {
        let name = meter.defaultAggregation?.formula ?? "sum"
        guard let formula = MeterFormula(rawValue: name) else {
            throw ReconcileInputError(message: "meter \(meter.id) aggregates with \"\(name)\", which Tally cannot reconcile: use a sum, count or last meter")
        }
        self = formula
    }

    /// The local value of one customer-day.
    public func value(of day: DailyUsage) -> Int64 {
        switch self {
        case .sum: day.tokens
        case .count: day.rows
        case .last: day.lastTokens
        }
    }

    /// The local value of rows (oldest first, as `usageRows` returns them); `nil` when there are none and
    /// the formula has no value then (`last`).
    public func value(of rows: some BidirectionalCollection<UsageRow>) -> Int64 {
        switch self {
        case .sum: rows.reduce(0) { $0 + $1.tokens }
        case .count: Int64(rows.count)
        case .last: rows.last?.tokens ?? 0
        }
    }

    /// Whether a window's value is the sum of its halves' (so one call per split suffices).
    public var isAdditive: Bool { self != .last }
}

/// Something in Stripe's or the app's data that reconciliation cannot work with (exit 65).
public struct ReconcileInputError: TallyFailure, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
    public var exitStatus: ExitStatus { .dataError }
    public var description: String { message }
}
