import Foundation

/// The summary figures of one currency, in its minor unit: never summed across currencies.
public struct CurrencyFigures: Sendable, Equatable {
    /// Lower-case ISO code, as Stripe sends it.
    public var currency: String
    /// Totals of finalized invoices created in the period.
    public var invoiced: Int64 = 0
    /// Amounts paid on invoices whose payment landed in the period (`status_transitions.paid_at`).
    public var collected: Int64 = 0
    /// What finalized invoices of the period still owe.
    public var outstanding: Int64 = 0
    /// Totals of invoices voided in the period plus credit (negative) invoices.
    public var voidedOrCredited: Int64 = 0
    /// Unsettled invoices of the period with a failed payment attempt, and what they still owe.
    public var failedPayments: Int64 = 0
    public var failedAmount: Int64 = 0
    /// Monthly recurring revenue at the period's end and at its start.
    public var recurringRevenue: Int64 = 0
    public var previousRecurringRevenue: Int64 = 0
    /// Amounts of metered (usage) lines on the period's finalized invoices.
    public var usageRevenue: Int64 = 0

    public init(currency: String) {
        self.currency = currency
    }

    /// MRR change over the period.
    public var recurringRevenueChange: Int64 { recurringRevenue - previousRecurringRevenue }

    /// One entry per currency seen, sorted by code.
    public static func figures(in data: ReportingData) -> [CurrencyFigures] {
        var figures: [String: CurrencyFigures] = [:]
        func update(_ currency: String, _ change: (inout CurrencyFigures) -> Void) {
            let code = currency.lowercased()
            change(&figures[code, default: CurrencyFigures(currency: code)])
        }
        for invoice in data.finalizedInvoices {
            update(invoice.currency) { figure in
                figure.invoiced += invoice.total ?? invoice.amountDue
                figure.outstanding += invoice.amountRemaining
                if invoice.status != "paid", (invoice.attemptCount ?? 0) > 0 {
                    figure.failedPayments += 1
                    figure.failedAmount += invoice.amountRemaining
                }
                figure.usageRevenue += invoice.allLines.filter(data.isMetered).reduce(0) { $0 + $1.amount }
            }
        }
        for invoice in data.invoices {
            if data.period.contains(invoice.statusTransitions?.paidAt) {
                update(invoice.currency) { $0.collected += invoice.amountPaid }
            }
            if data.period.contains(invoice.statusTransitions?.voidedAt) {
                update(invoice.currency) { $0.voidedOrCredited += invoice.total ?? invoice.amountDue }
            } else if let total = invoice.total, total < 0, data.period.contains(invoice.created) {
                update(invoice.currency) { $0.voidedOrCredited += -total }
            }
        }
        let end = min(data.period.end, data.now)
        for (currency, amount) in MonthlyRecurringRevenue.at(end, subscriptions: data.subscriptions) {
            update(currency) { $0.recurringRevenue = amount }
        }
        for (currency, amount) in MonthlyRecurringRevenue.at(data.period.start, subscriptions: data.subscriptions) {
            update(currency) { $0.previousRecurringRevenue = amount }
        }
        return figures.values.sorted { $0.currency < $1.currency }
    }
}
