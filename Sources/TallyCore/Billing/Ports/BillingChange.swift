import Foundation

/// Everything one billing event changes, worked out from its payload alone (values in, a plan out) and
/// applied by `BillingStateStore.applyBillingChange` in one transaction.
public struct BillingChange: Sendable, Equatable {
    public var eventID: String
    public var eventType: String
    /// Stripe's `created` of the event: the stamp that decides which of two events about one object wins.
    public var eventCreated: Date
    public var customerID: String?
    /// The teams of `customerID` whose access row `access` changes.
    public var teamIDs: [String]
    public var access: AccessChange?
    public var invoice: InvoiceRecord?
    public var customer: BillingCustomerRecord?
    public var paymentMethod: PaymentMethodRecord?
    /// What the ledger records for the event (`applied`, `skipped: unknown type`, …).
    public var outcome: String
    public var appliedAt: Date

    public init(eventID: String, eventType: String, eventCreated: Date, customerID: String?, teamIDs: [String] = [],
                access: AccessChange? = nil, invoice: InvoiceRecord? = nil, customer: BillingCustomerRecord? = nil,
                paymentMethod: PaymentMethodRecord? = nil, outcome: String = "applied", appliedAt: Date) {
        self.eventID = eventID
        self.eventType = eventType
        self.eventCreated = eventCreated
        self.customerID = customerID
        self.teamIDs = teamIDs
        self.access = access
        self.invoice = invoice
        self.customer = customer
        self.paymentMethod = paymentMethod
        self.outcome = outcome
        self.appliedAt = appliedAt
    }
}

/// A new subscription status (and, from a subscription, its features and allowance) for a team's access row.
public struct AccessChange: Sendable, Equatable {
    /// `trialing`, `active`, `past_due`, `canceled`, … as Stripe names subscription statuses.
    public var status: String
    public var subscriptionID: String?
    /// Nil keeps the stored features (an invoice says nothing about them).
    public var features: [String]?
    /// Tokens the plan includes; nil keeps the stored value.
    public var allowance: Int64?
    /// An invoice's outcome only moves a team between `active` and `past_due`: it never revives a canceled
    /// subscription, never ends a trial, and never speaks for another subscription than the team's.
    public var fromInvoice: Bool

    public init(status: String, subscriptionID: String?, features: [String]? = nil, allowance: Int64? = nil, fromInvoice: Bool) {
        self.status = status
        self.subscriptionID = subscriptionID
        self.features = features
        self.allowance = allowance
        self.fromInvoice = fromInvoice
    }
}

/// What applying a change did.
public struct BillingChangeResult: Sendable, Equatable {
    /// False when the event had been applied before: nothing was written.
    public var firstTime: Bool
    /// True when a newer event already wrote a part of this change (that part was left alone).
    public var stale: Bool

    public init(firstTime: Bool, stale: Bool) {
        self.firstTime = firstTime
        self.stale = stale
    }
}

/// A team of the app that a Stripe customer belongs to.
public struct BillingTeam: Sendable, Equatable {
    public var teamID: String
    public var name: String
    public var ownerEmails: [String]

    public init(teamID: String, name: String, ownerEmails: [String]) {
        self.teamID = teamID
        self.name = name
        self.ownerEmails = ownerEmails
    }
}

/// The payment methods of a customer as the events showed them.
public struct PaymentMethodState: Sendable, Equatable {
    public var attached: [String]
    /// `invoice_settings.default_payment_method` from the newest `customer.*` event, if any.
    public var defaultMethod: String?

    public init(attached: [String], defaultMethod: String?) {
        self.attached = attached
        self.defaultMethod = defaultMethod
    }
}
