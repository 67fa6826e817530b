import Foundation

extension BillingEventProcessor {
    /// Sends each notice once per event and team (`tally_billing_emails`). A team without an owner email is
    /// recorded once (`tally_billing_problems`) and logged the first time only. A failed send is recorded and
    /// thrown, so the queue retries the event; the emails already sent are not sent again.
    func send(_ notices: [BillingNotice], for event: StripeEventRecord, now: Date) async throws -> BillingEventOutcome {
        var outcome = BillingEventOutcome(effect: .applied)
        var failure: (any Error)?
        for notice in notices {
            let recipients = notice.team.ownerEmails.compactMap(EmailAddress.init(parsing:))
            guard !recipients.isEmpty else {
                let problem = BillingProblem(teamID: notice.team.teamID, problem: "no_owner_email", eventID: event.eventID, recordedAt: now)
                if try await store.recordBillingProblem(problem) {
                    outcome.newProblems.append(problem)
                    logger.warning("team \(notice.team.teamID) has no owner with an email address: billing emails for it are not sent; add an owner (team_members.role = 'owner') with users.email")
                }
                continue
            }
            let key = BillingEmailKey(eventID: event.eventID, kind: notice.kind, teamID: notice.team.teamID)
            guard try await store.claimBillingEmail(key, recipients: recipients.map(\.address)) else { continue }
            do {
                let message = try templates.message(notice.kind, values: notice.values, from: from, to: recipients, date: now)
                _ = try await mailer.send(message)
                try await store.markBillingEmail(key, sentAt: now, error: nil)
                outcome.emailsSent += 1
            } catch let error as AlertTemplateError {
                throw error
            } catch {
                try await store.markBillingEmail(key, sentAt: nil, error: "\(error)")
                logger.error("could not send the \(notice.kind.rawValue) email for event \(event.eventID) to team \(notice.team.teamID): \(error)")
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return outcome
    }
}
