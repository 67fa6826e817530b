import Foundation

/// One metered invoice line against the app's own usage over that line's period.
public struct InvoiceUsageCheck: Sendable, Equatable {
    /// Whether Stripe billed what the app recorded.
    public enum Status: String, Sendable, Equatable {
        case match
        case underBilled = "under-billed"
        case overBilled = "over-billed"
    }

    public var invoiceID: String
    public var invoiceNumber: String?
    public var customerID: String?
    public var lineID: String
    public var periodStart: Date?
    public var periodEnd: Date?
    /// The line's `quantity`: what Stripe billed.
    public var billedQuantity: Int64
    /// Tokens the app recorded for the customer over the line's period.
    public var localTokens: Int64
    public var amount: Int64
    public var currency: String

    /// Billed minus local: negative when Stripe billed less than was used.
    public var difference: Int64 { billedQuantity - localTokens }

    public var status: Status {
        difference == 0 ? .match : (difference < 0 ? .underBilled : .overBilled)
    }

    /// Every metered line of every finalized invoice created in the period, in invoice order.
    public static func checks(in data: ReportingData) -> [InvoiceUsageCheck] {
        data.finalizedInvoices
            .sorted { ($0.created ?? .distantPast, $0.id) < ($1.created ?? .distantPast, $1.id) }
            .flatMap { invoice in
                invoice.allLines.filter(data.isMetered).map { line in
                    InvoiceUsageCheck(
                        invoiceID: invoice.id, invoiceNumber: invoice.number, customerID: invoice.customer,
                        lineID: line.id, periodStart: line.period?.start, periodEnd: line.period?.end,
                        billedQuantity: line.quantity ?? 0, localTokens: data.lineUsage[line.id] ?? 0,
                        amount: line.amount, currency: line.currency)
                }
            }
    }
}
