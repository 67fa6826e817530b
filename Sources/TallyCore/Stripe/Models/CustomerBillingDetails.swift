/// The parts of a Stripe customer the billing events keep: who to address, and the default payment method.
public struct CustomerBillingDetails: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var email: String?
    public var invoiceSettings: InvoiceSettings?

    public struct InvoiceSettings: Decodable, Sendable, Equatable {
        public var defaultPaymentMethod: String?
    }
}
