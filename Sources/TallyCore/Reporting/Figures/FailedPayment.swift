import Foundation

/// An invoice whose payment failed and is not yet settled, with where Stripe's dunning stands.
public struct FailedPayment: Sendable, Equatable {
    public var invoice: Invoice
    /// The latest `invoice.payment_failed` event for it, when Stripe still keeps it (30 days).
    public var lastFailedAt: Date?

    /// As of `now`: `retrying` while Stripe's next attempt is still ahead, `retry overdue` when that time
    /// has passed without the invoice settling, `uncollectible` when Stripe gave up, else `awaiting action`.
    public func dunningState(asOf now: Date) -> String {
        if invoice.status == "uncollectible" { return "uncollectible" }
        guard let next = invoice.nextPaymentAttempt else { return "awaiting action" }
        return next >= now ? "retrying" : "retry overdue"
    }

    /// Unsettled invoices with at least one failed attempt (open or uncollectible, any creation date),
    /// oldest first.
    public static func all(in data: ReportingData) -> [FailedPayment] {
        var seen = Set<String>()
        var lastFailure: [String: Date] = [:]
        for event in data.events where event.type == "invoice.payment_failed" {
            if let id = event.objectID { lastFailure[id] = max(lastFailure[id] ?? event.created, event.created) }
        }
        return (data.unpaidInvoices + data.invoices)
            .filter { invoice in
                ["open", "uncollectible"].contains(invoice.status ?? "") && (invoice.attemptCount ?? 0) > 0
                    && seen.insert(invoice.id).inserted
            }
            .sorted { ($0.created ?? .distantPast, $0.id) < ($1.created ?? .distantPast, $1.id) }
            .map { FailedPayment(invoice: $0, lastFailedAt: lastFailure[$0.id]) }
    }
}
