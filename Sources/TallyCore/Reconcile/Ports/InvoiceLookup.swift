import Foundation

/// The invoices Tally already keeps from billing events (`tally_invoices`, written by tally-events), so
/// an alert can link the invoice a problem's usage lands on without asking Stripe.
public protocol InvoiceLookup: Sendable {
    /// The stored invoices of `customerIDs` whose billing period overlaps `start..<end`.
    func knownInvoices(customerIDs: [String], from start: Date, to end: Date) async throws -> [KnownInvoice]
}

/// One stored invoice and the billing period its usage lines cover (Stripe's `period_start`/`period_end`,
/// which look back one period on a subscription invoice: the period whose metered usage it bills).
public struct KnownInvoice: Sendable, Equatable {
    public var invoiceID: String
    public var customerID: String
    /// `number`, e.g. `A1B2C3D4-0007`; nil while the invoice is a draft.
    public var number: String?
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    public var status: String?
    public var periodStart: Date
    public var periodEnd: Date

    public init(invoiceID: String, customerID: String, number: String?, status: String?, periodStart: Date, periodEnd: Date) {
        self.invoiceID = invoiceID
        self.customerID = customerID
        self.number = number
        self.status = status
        self.periodStart = periodStart
        self.periodEnd = periodEnd
    }
}
