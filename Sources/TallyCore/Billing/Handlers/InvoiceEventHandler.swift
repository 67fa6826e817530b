import Foundation

/// `invoice.payment_succeeded` / `invoice.paid` (back to active, payment recorded), `invoice.payment_failed`
/// (`past_due`, dunning email), `invoice.finalized` (stored), `invoice.upcoming` (the coming charge).
enum InvoiceEventHandler {
    static let types: Set<String> = [
        "invoice.payment_succeeded", "invoice.paid", "invoice.payment_failed", "invoice.finalized", "invoice.upcoming",
    ]

    /// `meteredPrices`: the prices of the invoice's subscription that bill usage, for the projected usage cost.
    static func plan(_ record: StripeEventRecord, invoice: InvoiceEventObject, teams: [BillingTeam],
                     meteredPrices: Set<String>, now: Date) throws -> BillingEventPlan {
        var change = BillingChange(eventID: record.eventID, eventType: record.eventType, eventCreated: record.created,
                                   customerID: invoice.customer, teamIDs: teams.map(\.teamID), appliedAt: now)
        if record.eventType == "invoice.upcoming" {
            return BillingEventPlan(change: change, notices: teams.map { team in
                BillingNotice(kind: .invoiceUpcoming, team: team, values: upcomingValues(invoice, team: team, meteredPrices: meteredPrices))
            })
        }
        guard let id = invoice.id else { throw BillingEventDecoding.invalid(record, "the invoice has no id") }
        change.invoice = InvoiceRecord(
            invoiceID: id, customerID: invoice.customer, subscriptionID: invoice.subscriptionID, number: invoice.number,
            status: invoice.status, currency: invoice.currency, amountDue: invoice.amountDue, amountPaid: invoice.amountPaid ?? 0,
            amountRemaining: invoice.amountRemaining ?? invoice.amountDue - (invoice.amountPaid ?? 0),
            hostedInvoiceURL: invoice.hostedInvoiceUrl, nextPaymentAttempt: invoice.nextPaymentAttempt,
            periodStart: invoice.periodStart, periodEnd: invoice.periodEnd)
        switch record.eventType {
        case "invoice.payment_succeeded", "invoice.paid":
            change.access = AccessChange(status: "active", subscriptionID: invoice.subscriptionID, fromInvoice: true)
            return BillingEventPlan(change: change)
        case "invoice.payment_failed":
            change.access = AccessChange(status: "past_due", subscriptionID: invoice.subscriptionID, fromInvoice: true)
            return BillingEventPlan(change: change, notices: teams.map { team in
                BillingNotice(kind: .paymentFailed, team: team, values: [
                    "team": team.name, "team_id": team.teamID,
                    "amount": BillingText.amount(invoice.amountRemaining ?? invoice.amountDue, invoice.currency),
                    "invoice_number": invoice.number ?? id, "invoice_url": invoice.hostedInvoiceUrl ?? "",
                    "next_attempt": BillingText.day(invoice.nextPaymentAttempt),
                    "attempt_count": invoice.attemptCount.map(String.init) ?? "",
                ])
            })
        default:
            return BillingEventPlan(change: change)
        }
    }

    /// The upcoming charge; the usage part is the lines billing a metered price of the subscription.
    static func upcomingValues(_ invoice: InvoiceEventObject, team: BillingTeam, meteredPrices: Set<String>) -> [String: String] {
        let lines = invoice.lines?.data ?? []
        let usage = lines.filter { $0.priceID.map(meteredPrices.contains) ?? false }.reduce(Int64(0)) { $0 + $1.amount }
        // Money is never guessed: without the subscription's synced items Tally cannot tell usage lines apart.
        let usageText = meteredPrices.isEmpty ? "not known yet (the subscription's items are not synced)"
            : BillingText.amount(usage, invoice.currency)
        return [
            "team": team.name, "team_id": team.teamID, "amount": BillingText.amount(invoice.amountDue, invoice.currency),
            "usage_cost": usageText, "charge_date": BillingText.day(invoice.nextPaymentAttempt ?? invoice.periodEnd),
            "period_start": BillingText.day(invoice.periodStart), "period_end": BillingText.day(invoice.periodEnd),
        ]
    }
}
