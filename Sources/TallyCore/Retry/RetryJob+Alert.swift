import Foundation
import Logging

extension RetryJob {
    /// Emails the needs-a-human list to `ALERT_EMAIL`, or says in the log why it did not.
    static func sendAlert(_ report: RetryReport, context: JobContext) async throws {
        let recipients = context.configuration.mail.alertRecipients.compactMap(EmailAddress.init(parsing:))
        guard !recipients.isEmpty else {
            context.logger.warning("rows need a human but ALERT_EMAIL is not set: no alert sent")
            return
        }
        let sender = EmailAddress(parsing: context.configuration.mail.from) ?? EmailAddress(name: "Tally", address: "tally@localhost")
        let message = report.alert(from: sender, to: recipients)
        if context.dryRun {
            context.logger.notice("dry run: would email the needs-a-human list", metadata: ["subject": "\(message.subject)"])
            return
        }
        let delivery = try await context.mailer.send(message)
        context.logger.notice("sent needs-a-human list", metadata: ["subject": "\(message.subject)", "delivery": "\(delivery)"])
    }
}
