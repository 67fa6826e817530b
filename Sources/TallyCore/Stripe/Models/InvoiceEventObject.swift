import Foundation

/// The invoice an `invoice.*` event carries. Unlike `Invoice`, `id` is optional: the invoice of
/// `invoice.upcoming` does not exist yet and has none.
public struct InvoiceEventObject: Decodable, Sendable, Equatable {
    public var id: String?
    public var number: String?
    public var status: String?
    public var customer: String?
    public var currency: String
    public var amountDue: Int64
    public var amountPaid: Int64?
    public var amountRemaining: Int64?
    public var hostedInvoiceUrl: String?
    public var nextPaymentAttempt: Date?
    public var attemptCount: Int?
    public var periodStart: Date?
    public var periodEnd: Date?
    public var parent: Invoice.Parent?
    public var lines: StripeList<InvoiceLineItem>?
    /// Before API 2025-03-31.basil the subscription was a top-level field.
    public var subscription: String?

    /// The subscription billed, wherever the API version put it.
    public var subscriptionID: String? { parent?.subscriptionDetails?.subscription ?? subscription }
}
