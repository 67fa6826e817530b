import Foundation

/// One compared window of one customer: a UTC day (or the settled part of one), or a drill-down window.
public struct ReconciliationWindow: Sendable, Equatable {
    /// How a window was judged.
    public enum Granularity: String, Sendable, Codable {
        /// A whole UTC day, from a `day`-grouped summary.
        case day
        /// Part of a day (the range starts or ends inside it), from an ungrouped summary.
        case partialDay = "partial_day"
        /// One hour of a drill-down, from an `hour`-grouped summary.
        case hour
        /// A minute-aligned window of a bisection.
        case minutes
    }

    public var meterID: String
    public var customerID: String
    public var teamID: String?
    public var start: Date
    public var end: Date
    public var localValue: Int64
    public var stripeValue: Int64
    public var granularity: Granularity

    public init(meterID: String, customerID: String, teamID: String?, start: Date, end: Date,
                localValue: Int64, stripeValue: Int64, granularity: Granularity) {
        self.meterID = meterID
        self.customerID = customerID
        self.teamID = teamID
        self.start = start
        self.end = end
        self.localValue = localValue
        self.stripeValue = stripeValue
        self.granularity = granularity
    }

    /// Whether both sides agree.
    public var matches: Bool { localValue == stripeValue }
}
