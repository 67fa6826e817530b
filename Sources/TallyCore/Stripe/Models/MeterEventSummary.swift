import Foundation

/// Stripe's aggregate of one customer's meter events over `[startTime, endTime)`.
public struct MeterEventSummary: Decodable, Sendable, Equatable {
    public var id: String
    public var aggregatedValue: Double
    /// Inclusive.
    public var startTime: Date
    /// Exclusive.
    public var endTime: Date
    public var meter: String?
    public var livemode: Bool?
}
