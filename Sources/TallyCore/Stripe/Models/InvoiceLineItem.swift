import Foundation

/// One line of an invoice (`line_item`).
public struct InvoiceLineItem: Decodable, Sendable, Equatable {
    public var id: String
    public var invoice: String?
    /// Minor units.
    public var amount: Int64
    public var currency: String
    public var description: String?
    public var quantity: Int64?
    public var subtotal: Int64?
    public var period: Period?
    public var pricing: Pricing?
    public var parent: Parent?

    /// The service period the line bills.
    public struct Period: Decodable, Sendable, Equatable {
        public var start: Date
        public var end: Date
    }

    /// How the line was priced.
    public struct Pricing: Decodable, Sendable, Equatable {
        public var type: String?
        public var priceDetails: PriceDetails?
        public var unitAmountDecimal: String?

        public struct PriceDetails: Decodable, Sendable, Equatable {
            public var price: String?
            public var product: String?
        }
    }

    /// What produced the line: a subscription item or an invoice item.
    public struct Parent: Decodable, Sendable, Equatable {
        public var type: String?
        public var subscriptionItemDetails: SubscriptionItemDetails?

        public struct SubscriptionItemDetails: Decodable, Sendable, Equatable {
            public var subscription: String?
            public var subscriptionItem: String?
            public var proration: Bool?
        }
    }

    /// The price billed, when the line came from one.
    public var priceID: String? { pricing?.priceDetails?.price }
    /// The subscription item billed, when the line came from one.
    public var subscriptionItemID: String? { parent?.subscriptionItemDetails?.subscriptionItem }
}
