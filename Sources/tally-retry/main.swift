import ArgumentParser
import TallyCLI
import TallyCore

/// `tally-retry`: re-sends usage Stripe never received with stable identifiers, cancels duplicates Tally
/// caused while Stripe allows, and lists what only a person may bill or credit.
@main
struct TallyRetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-retry",
        abstract: "Re-send usage Stripe never received; cancel duplicates Tally caused; list the rest for a human.",
        discussion: JobHelp.discussion("""
            Sends only usage Stripe's summaries show missing: the latest tally-reconcile run's discrepancies, \
            and unreported rows no reconciliation judged yet, after checking their windows against Stripe \
            itself. Nothing younger than RECONCILE_SETTLE_MINUTES is sent, nor any bad row. \
            Each usage row keeps one meter-event identifier \
            (the app's, else tu_<id>), so a re-run never counts an event twice; each send after an answer \
            takes a new Idempotency-Key, since Stripe replays even a 500 under the old one. A 5xx, timeout, \
            dropped connection or unreadable 200 leaves the row unconfirmed (never counted as sent) until \
            Stripe's summaries settle it on a later run. \
            Usage older than 35 days, or acknowledged over 24 h ago, is never re-sent: it is written to \
            reports/YYYY-MM-DD/retry-needs-human.csv and emailed to ALERT_EMAIL. --dry-run sends nothing. \
            Exit 0: everything repaired; 1: something needs a human or failed.
            """),
        version: TallyVersion.current
    )

    @OptionGroup var options: JobOptions

    func run() async throws {
        await JobMain.run(job: RetryJob.name, options: options, requirements: [.meterIDs]) { $0.retryJob() }
    }
}
