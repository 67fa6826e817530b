import Foundation

/// One row of `subscription_items`: a price on a subscription as the newest processed event showed it.
public struct SubscriptionItemRecord: Sendable, Equatable {
    /// Stripe's `si_…` id, unique in the table.
    public var stripeSubscriptionItemID: String
    public var subscriptionID: String
    public var customerID: String?
    public var productID: String?
    public var priceID: String?
    /// Seats for a licensed price; nil for a metered one.
    public var quantity: Int64?
    /// Whether the price bills usage (`recurring.usage_type == "metered"`).
    public var isMetered: Bool
    /// The item's billing period (on the item since API version 2025-03-31.basil).
    public var currentPeriodStart: Date?
    public var currentPeriodEnd: Date?

    public init(stripeSubscriptionItemID: String, subscriptionID: String, customerID: String?, productID: String?,
                priceID: String?, quantity: Int64?, isMetered: Bool, currentPeriodStart: Date?, currentPeriodEnd: Date?) {
        self.stripeSubscriptionItemID = stripeSubscriptionItemID
        self.subscriptionID = subscriptionID
        self.customerID = customerID
        self.productID = productID
        self.priceID = priceID
        self.quantity = quantity
        self.isMetered = isMetered
        self.currentPeriodStart = currentPeriodStart
        self.currentPeriodEnd = currentPeriodEnd
    }
}
