import Foundation

/// A customer as the simulator stores it.
public struct SimulatedCustomer: Sendable {
    public var id: String
    public var created: Int64
    public var email: String?
    public var name: String?
    public var description: String?
    /// `sandbox_payment=fail` makes this customer's invoices fail payment.
    public var metadata: [String: String]
    public var invoicePrefix: String
    public var nextInvoiceSequence: Int
}

/// A product.
public struct SimulatedProduct: Sendable {
    public var id: String
    public var created: Int64
    public var name: String
    public var description: String?
    public var active: Bool
    public var metadata: [String: String]
    public var unitLabel: String?
}

/// How a recurring price is charged.
public enum PriceUsageType: String, Sendable {
    /// A fixed quantity per period.
    case licensed
    /// Usage reported to a meter during the period.
    case metered
}

/// A recurring price (monthly by default), licensed or metered through `meter`.
public struct SimulatedPrice: Sendable {
    public var id: String
    public var created: Int64
    public var product: String
    public var currency: String
    /// Amount per unit in the currency's minor unit (yen for JPY, cents for USD).
    public var unitAmount: Int64
    public var interval: String
    public var intervalCount: Int
    public var usageType: PriceUsageType
    /// The meter id billed by a metered price.
    public var meter: String?
    public var nickname: String?
    public var lookupKey: String?
    public var metadata: [String: String]
    public var active: Bool
}

/// One item of a subscription, carrying the billing period (API 2025-03-31.basil and later).
public struct SimulatedSubscriptionItem: Sendable {
    public var id: String
    public var created: Int64
    public var price: String
    /// Quantity for licensed prices; nil for metered ones.
    public var quantity: Int64?
    public var currentPeriodStart: Int64
    public var currentPeriodEnd: Int64
    public var metadata: [String: String]
}

/// A subscription.
public struct SimulatedSubscription: Sendable {
    public var id: String
    public var created: Int64
    public var customer: String
    public var status: String
    public var items: [SimulatedSubscriptionItem]
    public var billingCycleAnchor: Int64
    /// Number of whole periods billed so far (periods are anchor + n months, so day-of-month never drifts).
    public var periodsBilled: Int
    public var canceledAt: Int64?
    public var endedAt: Int64?
    public var latestInvoice: String?
    public var metadata: [String: String]
    public var currency: String
}

/// A billing meter.
public struct SimulatedMeter: Sendable {
    public var id: String
    public var created: Int64
    public var updated: Int64
    public var displayName: String
    public var eventName: String
    /// `sum`, `count` or `last`.
    public var formula: String
    public var customerPayloadKey: String
    public var valuePayloadKey: String
    public var status: String
    public var eventTimeWindow: String?
}

/// A meter event, for bulk seeding and reading back.
public struct SimulatedMeterEvent: Sendable, Equatable {
    public var identifier: String
    public var eventName: String
    public var customer: String
    public var value: Int64
    /// Unix seconds the usage happened.
    public var timestamp: Int64
    /// Unix seconds (simulator time) the simulator received it.
    public var receivedAt: Int64
    /// Whether a cancel adjustment removed it from aggregation.
    public var cancelled: Bool

    public init(identifier: String, eventName: String, customer: String, value: Int64, timestamp: Int64,
                receivedAt: Int64? = nil, cancelled: Bool = false) {
        self.identifier = identifier
        self.eventName = eventName
        self.customer = customer
        self.value = value
        self.timestamp = timestamp
        self.receivedAt = receivedAt ?? timestamp
        self.cancelled = cancelled
    }
}

/// One line of an invoice (one per subscription item).
public struct SimulatedInvoiceLine: Sendable {
    public var id: String
    public var amount: Int64
    public var currency: String
    public var description: String
    public var periodStart: Int64
    public var periodEnd: Int64
    public var quantity: Int64
    public var price: String
    public var subscription: String
    public var subscriptionItem: String
}

/// An invoice produced when a subscription period ends.
public struct SimulatedInvoice: Sendable {
    public var id: String
    public var number: String
    public var customer: String
    public var customerEmail: String?
    public var customerName: String?
    public var subscription: String
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    public var status: String
    public var created: Int64
    public var periodStart: Int64
    public var periodEnd: Int64
    public var currency: String
    public var lines: [SimulatedInvoiceLine]
    public var amountPaid: Int64
    public var attemptCount: Int
    public var finalizedAt: Int64?
    public var paidAt: Int64?

    /// Sum of the line amounts (no tax, no discount).
    public var total: Int64 { lines.reduce(0) { $0 + $1.amount } }
}

/// An event (`GET /v1/events`), with a snapshot of the object it is about.
public struct SimulatedEvent: Sendable {
    public var id: String
    public var type: String
    public var created: Int64
    public var object: JSONValue
    /// False when the simulated webhook delivery failed (`delivery_success=false`).
    public var deliverySucceeded: Bool
    public var requestID: String?
    public var idempotencyKey: String?
    /// `data.previous_attributes`: what changed (a detached payment method's `customer`, say).
    public var previousAttributes: JSONValue? = nil
}
