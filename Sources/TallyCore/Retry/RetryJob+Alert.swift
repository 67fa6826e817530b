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
        var names: [String: String] = [:]
        for id in Set(report.needsHuman.map(\.customerID)).filter({ !$0.isEmpty }).sorted().prefix(RetryAlert.listedRows) {
            // Names only make the list easier to read: a customer Stripe does not know keeps its id.
            if let name = try? await stripe.customer(id: id).name { names[id] = name }
        }
        let alert = RetryAlert(report: report, customerNames: names, links: settings.dashboard)
        let message = alert.message(from: settings.opsMail.sender, to: recipients)
        if jobRun.dryRun {
            logger.notice("dry run: would email the needs-a-human list", metadata: ["subject": "\(message.subject)"])
            return
        }
        let delivery = try await mailer.send(message)
        logger.notice("sent needs-a-human list", metadata: ["subject": "\(message.subject)", "delivery": "\(delivery)"])
    }
}
