import Foundation
import Logging

extension RetryJob {
    /// Emails the needs-a-human list to `ALERT_EMAIL`, or says in the log why it did not.
    func sendAlert(_ report: RetryReport) async throws {
        let recipients = settings.opsMail.recipients
        guard !recipients.isEmpty else {
            logger.warning("rows need a human but ALERT_EMAIL is not set: no alert sent")
            return
        }
        // Names only make the list easier to read: from the billing events' cache, then Stripe in as few
        // calls as it takes; a customer nobody can name keeps its id.
        let named = Set(Set(report.needsHuman.map(\.customerID)).filter { !$0.isEmpty }.sorted().prefix(RetryAlert.listedRows))
        let names = await CustomerNames(cache: store, stripe: stripe, logger: logger).names(of: named)
        let listed = report.needsHuman.prefix(RetryAlert.listedRows)
        var invoices = InvoiceLinks()
        if let first = listed.map(\.timestamp).min(), let last = listed.map(\.timestamp).max() {
            // Read from the store only: linking an invoice costs no Stripe call.
            invoices = await InvoiceLinks.lookUp(in: store, customerIDs: Set(listed.map(\.customerID)).filter { !$0.isEmpty }.sorted(),
                                                 from: first, to: last.addingTimeInterval(1), logger: logger)
        }
        let alert = RetryAlert(report: report, customerNames: names, links: settings.dashboard, invoices: invoices)
        let message = alert.message(from: settings.opsMail.sender, to: recipients)
        if jobRun.dryRun {
            logger.notice("dry run: would email the needs-a-human list", metadata: ["subject": "\(message.subject)"])
            return
        }
        let delivery = try await mailer.send(message)
        logger.notice("sent needs-a-human list", metadata: ["subject": "\(message.subject)", "delivery": "\(delivery)"])
    }
}
