/// A Stripe payment method, as `payment_method.attached|detached` carry it. After a detach `customer` is
/// null and `data.previous_attributes.customer` names the customer it left.
public struct PaymentMethod: Decodable, Sendable, Equatable {
    public var id: String
    /// `card`, `sepa_debit`, …
    public var type: String?
    public var customer: String?
    public var card: Card?

    /// The card's brand and last digits, for the emails (never the number).
    public struct Card: Decodable, Sendable, Equatable {
        public var brand: String?
        public var last4: String?
    }
}
