import Foundation

/// A Stripe invoice: the finance fields Tally reports. Amounts are in the currency's minor unit.
public struct Invoice: Decodable, Sendable, Equatable {
    public var id: String
    public var number: String?
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    public var status: String?
    public var customer: String?
    public var currency: String
    public var created: Date?
    public var amountDue: Int64
    public var amountPaid: Int64
    public var amountRemaining: Int64
    public var subtotal: Int64?
    public var total: Int64?
    public var totalTaxes: [TaxAmount]?
    public var periodStart: Date?
    public var periodEnd: Date?
    public var dueDate: Date?
    public var hostedInvoiceUrl: String?
    public var billingReason: String?
    public var collectionMethod: String?
    public var attemptCount: Int?
    /// When Stripe retries a failed payment next (dunning); `nil` when it will not.
    public var nextPaymentAttempt: Date?
    public var statusTransitions: StatusTransitions?
    public var parent: Parent?
    /// The first page of lines; `GET /v1/invoices/{id}/lines` has the rest when `hasMore`.
    public var lines: StripeList<InvoiceLineItem>?
    public var livemode: Bool?

    /// When the invoice changed state.
    public struct StatusTransitions: Decodable, Sendable, Equatable {
        public var finalizedAt: Date?
        public var markedUncollectibleAt: Date?
        public var paidAt: Date?
        public var voidedAt: Date?
    }

    /// One tax on the invoice.
    public struct TaxAmount: Decodable, Sendable, Equatable {
        public var amount: Int64
        public var taxBehavior: String?
    }

    /// What the invoice was created for (a subscription, a quote).
    public struct Parent: Decodable, Sendable, Equatable {
        public var type: String?
        public var subscriptionDetails: SubscriptionDetails?

        public struct SubscriptionDetails: Decodable, Sendable, Equatable {
            public var subscription: String?
        }
    }

    /// The subscription billed, since `subscription` left the top level in API 2025-03-31.basil.
    public var subscriptionID: String? { parent?.subscriptionDetails?.subscription }
    /// The sum of all taxes, in minor units.
    public var totalTax: Int64 { totalTaxes?.reduce(0) { $0 + $1.amount } ?? 0 }
}
