import Foundation

/// The `tally-retry` needs-a-human email: each held-back item with its customer's name, a link to the
/// customer in the Stripe Dashboard, the reason and the fix, as plain text and HTML saying the same, with
/// the CSV of every item attached. Customer names come from Stripe and are untrusted: flattened to one
/// line and HTML-escaped.
public struct RetryAlert: Sendable {
    /// Items listed in the body; the CSV holds every one.
    public static let listedRows = 20

    public var report: RetryReport
    public var customerNames: [String: String]
    public var links: StripeDashboardLinks
    /// The stored invoices the items' usage lands on, linked where one covers an item's time.
    public var invoices: InvoiceLinks

    public init(report: RetryReport, customerNames: [String: String] = [:], links: StripeDashboardLinks = StripeDashboardLinks(liveMode: false),
                invoices: InvoiceLinks = InvoiceLinks()) {
        self.report = report
        self.customerNames = customerNames
        self.links = links
        self.invoices = invoices
    }

    /// `Tally: 1 usage item needs a person (tally-retry held it back)`.
    public var subject: String {
        let count = report.needsHuman.count
        return "Tally: \(EmailWording.count(count, "usage item")) \(count == 1 ? "needs" : "need") a person (tally-retry held \(count == 1 ? "it" : "them") back)"
    }

    var intro: String {
        "tally-retry held back \(EmailWording.count(report.needsHuman.count, "item")) it may not send or cancel safely. Each needs a person: the fix is in its row."
    }

    var more: String? {
        let count = report.needsHuman.count
        return count > Self.listedRows ? "\(EmailWording.count(count - Self.listedRows, "more item")) in the attached retry-needs-human.csv." : nil
    }

    static let headers = ["Customer", "Item", "Value", "Time (UTC)", "Reason", "Fix", "Invoice"]

    var rows: [[EmailHTML.Cell]] {
        report.needsHuman.prefix(Self.listedRows).map { r in
            let customer = r.customerID.isEmpty ? "no Stripe customer"
                : customerNames[r.customerID].map { "\(EmailWording.oneLine($0)) (\(r.customerID))" } ?? r.customerID
            return [
                EmailHTML.Cell(customer, link: r.customerID.isEmpty ? nil : links.customer(r.customerID)),
                EmailHTML.Cell(r.usageRowID.isEmpty ? "excess in Stripe" : "usage row \(r.usageRowID)"),
                EmailHTML.Cell(EmailWording.number(r.value), numeric: true),
                EmailHTML.Cell(JobTimeRange.format(r.timestamp)),
                EmailHTML.Cell(EmailWording.oneLine(r.detail)),
                EmailHTML.Cell(EmailWording.oneLine(r.suggestedFix ?? "see the reason")),
                invoiceCell(r),
            ]
        }
    }

    /// The invoice the item's usage lands on, where exactly one stored invoice covers its time; empty
    /// otherwise (never a guess).
    func invoiceCell(_ result: RetryRowResult) -> EmailHTML.Cell {
        guard let invoice = invoices.invoice(customerID: result.customerID.isEmpty ? nil : result.customerID, at: result.timestamp) else {
            return EmailHTML.Cell("")
        }
        return EmailHTML.Cell(InvoiceLinks.label(invoice), link: links.invoice(invoice.invoiceID))
    }

    public var text: String {
        var body = intro + "\n\n"
        for row in rows {
            body += "* \(row[0].text), \(row[1].text), value \(row[2].text), at \(row[3].text): \(row[4].text). Fix: \(row[5].text)"
                + (row[6].link.map { "\n  On \(row[6].text): \($0)" } ?? "") + "\n"
        }
        if let more { body += more + "\n" }
        return body + "\nEvery item is in the attached retry-needs-human.csv.\n"
    }

    public var html: String {
        var headers = Self.headers
        var rows = rows
        // The invoice column only where some item has an invoice to link: an empty column is noise.
        if rows.allSatisfy({ $0.last?.link == nil }) {
            headers.removeLast()
            rows = rows.map { Array($0.dropLast()) }
        }
        var body = EmailHTML.paragraph(intro) + EmailHTML.table(headers: headers, rows: rows)
        if let more { body += EmailHTML.paragraph(more) }
        body += EmailHTML.paragraph("Every item is in the attached retry-needs-human.csv.")
        return EmailHTML.document(title: subject, body: body)
    }

    public func message(from sender: EmailAddress, to recipients: [EmailAddress]) -> EmailMessage {
        EmailMessage(from: sender, to: recipients, subject: subject, textBody: text, htmlBody: html,
                     attachments: [EmailAttachment(filename: "retry-needs-human.csv", contentType: "text/csv",
                                                   data: CSVWriter().data(for: report.needsHumanTable))],
                     date: report.date)
    }
}
