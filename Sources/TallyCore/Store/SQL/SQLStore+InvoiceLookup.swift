import Foundation

extension SQLStore: InvoiceLookup {
    func knownInvoices(customerIDs: [String], from start: Date, to end: Date) async throws -> [KnownInvoice] {
        var found: [KnownInvoice] = []
        for batch in SQLStatement.batches(customerIDs) {
            found += try await sql.query("""
                SELECT invoice_id, customer_id, number, status, period_start, period_end
                FROM \(raw: prefix)invoices
                WHERE customer_id IN (\(list: Array(batch)))
                  AND period_start IS NOT NULL AND period_end IS NOT NULL
                  AND period_start < \(end) AND period_end > \(start)
                ORDER BY customer_id, period_start, invoice_id
                """).map { row in
                KnownInvoice(invoiceID: try row["invoice_id"], customerID: try row["customer_id"], number: try row["number"],
                             status: try row["status"], periodStart: try row["period_start"], periodEnd: try row["period_end"])
            }
        }
        return found
    }
}
