import Foundation

/// The email that tells ops which Stripe events stopped being retried in this run and what to do.
struct DeadLetterAlert {
    var deadLettered: [EventQueueEntry]

    /// The message, or nil when nothing was dead-lettered or no valid recipient is configured.
    func message(opsMail: OpsMail, now: Date) -> EmailMessage? {
        let recipients = opsMail.recipients
        guard !deadLettered.isEmpty, !recipients.isEmpty else { return nil }
        let from = opsMail.sender
        let count = deadLettered.count
        let intro = "tally-events gave up on \(count == 1 ? "1 Stripe event" : "\(count) Stripe events") after repeated failures."
        let kept = "\(count == 1 ? "It is" : "They are") stored in stripe_events and marked dead in stripe_event_queue; "
            + "nothing Tally keeps from \(count == 1 ? "it" : "them") (subscription_items) was updated."
        let todo = "What to do: look the event up in the Stripe dashboard (Developers > Events), fix the cause, then set "
            + "its stripe_event_queue row back to status 'pending' with retry_count 0 so the next run processes it, "
            + "or delete the row if the event needs nothing."
        let lines = deadLettered.map { entry in
            "- \(entry.eventID), after \(entry.retryCount) failures: \(entry.lastError ?? "no error recorded")"
        }
        let text = "\(intro)\n\(kept)\n\n\(lines.joined(separator: "\n"))\n\n\(todo)\n"
        let subject = "[Tally] \(count) Stripe event\(count == 1 ? "" : "s") dead-lettered: a person must look"
        // The HTML part says what the text part says: the same sentences, the events as a table.
        let html = EmailHTML.document(title: subject, body: EmailHTML.paragraph(intro) + EmailHTML.paragraph(kept)
            + EmailHTML.table(headers: ["Event", "Failures", "Last error"], rows: deadLettered.map { entry in
                [EmailHTML.Cell(entry.eventID), EmailHTML.Cell("\(entry.retryCount)", numeric: true),
                 EmailHTML.Cell(entry.lastError ?? "no error recorded")]
            })
            + EmailHTML.paragraph(todo))
        return EmailMessage(from: from, to: recipients, subject: subject, textBody: text, htmlBody: html, date: now)
    }
}
