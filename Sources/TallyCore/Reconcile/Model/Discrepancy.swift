import Foundation

/// One classified gap between the app's usage and Stripe's, pinned to the smallest window found.
///
/// `difference` is local minus Stripe: positive means Stripe is missing usage (under-billing), negative
/// means Stripe has more (over-billing risk). For `bad_rows` the values are row counts, not tokens.
public struct Discrepancy: Sendable, Equatable {
    public var kind: DiscrepancyKind
    public var meterID: String
    /// The Stripe customer; `nil` for a team without one and for bad rows.
    public var customerID: String?
    public var teamID: String?
    /// Inclusive.
    public var windowStart: Date
    /// Exclusive.
    public var windowEnd: Date
    /// The app's value in the window, by the meter's formula.
    public var localValue: Int64
    /// Stripe's aggregated value in the window.
    public var stripeValue: Int64
    /// The part of `localValue - stripeValue` this discrepancy accounts for.
    public var difference: Int64
    public var repair: DiscrepancyRepair
    /// What to do, in a sentence a person (or `tally-retry`) acts on.
    public var suggestedAction: String
    /// The usage rows `tally-retry` should re-send (`unreported`, `lost_after_ack`), oldest first.
    public var usageRowIDs: [String]

    public init(kind: DiscrepancyKind, meterID: String, customerID: String?, teamID: String?, windowStart: Date,
                windowEnd: Date, localValue: Int64, stripeValue: Int64, difference: Int64,
                repair: DiscrepancyRepair, suggestedAction: String, usageRowIDs: [String] = []) {
        self.kind = kind
        self.meterID = meterID
        self.customerID = customerID
        self.teamID = teamID
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.localValue = localValue
        self.stripeValue = stripeValue
        self.difference = difference
        self.repair = repair
        self.suggestedAction = suggestedAction
        self.usageRowIDs = usageRowIDs
    }

    /// Whether the amount is usage (tokens, events) rather than a count of bad rows.
    public var isUsage: Bool { kind != .badRows }
}
