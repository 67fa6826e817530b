import Foundation

/// A Stripe price; a metered one names its meter in `recurring.meter`.
public struct Price: Decodable, Sendable, Equatable {
    public var id: String
    public var active: Bool?
    public var currency: String
    /// Minor units per unit, when the price is not tiered or decimal.
    public var unitAmount: Int64?
    public var unitAmountDecimal: String?
    public var product: String?
    public var nickname: String?
    public var lookupKey: String?
    /// `one_time` or `recurring`.
    public var type: String?
    /// `per_unit` or `tiered`.
    public var billingScheme: String?
    public var recurring: Recurring?
    public var created: Date?
    public var livemode: Bool?

    /// The billing rhythm of a recurring price.
    public struct Recurring: Decodable, Sendable, Equatable {
        public var interval: String
        public var intervalCount: Int?
        /// The meter a usage-based price is billed from.
        public var meter: String?
        /// `licensed` or `metered`.
        public var usageType: String?
    }

    /// Whether usage (not a seat count) is billed.
    public var isMetered: Bool { recurring?.usageType == "metered" || recurring?.meter != nil }
}
