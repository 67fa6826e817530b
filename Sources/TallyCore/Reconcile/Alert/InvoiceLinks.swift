import Foundation
import Logging

/// The invoice a problem's usage lands on, where Tally knows it: the one stored invoice of the customer
/// whose billing period holds every day of the problem. None known, a void one, a problem spanning two
/// periods, or two candidates: no link. An email never guesses an invoice.
public struct InvoiceLinks: Sendable, Equatable {
    public var invoices: [KnownInvoice]

    public init(_ invoices: [KnownInvoice] = []) {
        self.invoices = invoices
    }

    /// The invoice billing `customerID`'s usage of `start..<end`, if exactly one stored invoice covers it.
    public func invoice(customerID: String?, from start: Date, to end: Date) -> KnownInvoice? {
        guard let customerID else { return nil }
        let covering = invoices.filter {
            $0.customerID == customerID && $0.status != "void" && $0.periodStart <= start && end <= $0.periodEnd && $0.periodStart < $0.periodEnd
        }
        return covering.count == 1 ? covering[0] : nil
    }

    /// The invoice billing usage at `instant` (periods are half-open: their end belongs to the next one).
    public func invoice(customerID: String?, at instant: Date) -> KnownInvoice? {
        invoice(customerID: customerID, from: instant, to: instant.addingTimeInterval(1))
    }

    /// How an email names an invoice: its number when it has one (a draft has none), else its id.
    static func label(_ invoice: KnownInvoice) -> String {
        invoice.number.map { "invoice \(EmailWording.oneLine($0))" } ?? "invoice \(invoice.invoiceID)"
    }

    /// The invoices that may hold the usage of `discrepancies`, as the billing events stored them.
    static func lookUp(in store: any InvoiceLookup, for discrepancies: [Discrepancy], logger: Logger) async -> InvoiceLinks {
        guard let start = discrepancies.map(\.windowStart).min(), let end = discrepancies.map(\.windowEnd).max() else {
            return InvoiceLinks()
        }
        return await lookUp(in: store, customerIDs: Set(discrepancies.compactMap(\.customerID)).sorted(), from: start, to: end,
                            logger: logger)
    }

    /// The invoices of `customerIDs` whose period overlaps `start..<end`, as the billing events stored them.
    /// Links only make an email easier to act on: a failed lookup leaves them out and says so in the log.
    static func lookUp(in store: any InvoiceLookup, customerIDs: [String], from start: Date, to end: Date, logger: Logger) async -> InvoiceLinks {
        guard !customerIDs.isEmpty else { return InvoiceLinks() }
        do {
            return InvoiceLinks(try await store.knownInvoices(customerIDs: customerIDs, from: start, to: end))
        } catch {
            logger.warning("the email links no invoice: reading the stored invoices failed", metadata: ["error": "\(error)"])
            return InvoiceLinks()
        }
    }
}
