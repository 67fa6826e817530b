import ArgumentParser
import TallyCLI
import TallyCore

/// `tally-reconcile`: finds every usage discrepancy between the app and Stripe, pins and classifies it,
/// stores it, writes `reports/YYYY-MM-DD/reconciliation.csv|.xlsx` and alerts when a person must look.
@main
struct TallyReconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-reconcile",
        abstract: "Reconcile the app's token usage with Stripe's meter event summaries.",
        discussion: JobHelp.discussion("""
            By default judges the last complete UTC day and RECONCILE_LOOKBACK_DAYS days before it; \
            --since/--until choose any range. Usage younger than RECONCILE_SETTLE_MINUTES is not judged. \
            Exit 0: clean (or only gaps tally-retry repairs); 1: findings need a human (an alert was sent).
            """),
        version: TallyVersion.current
    )

    @OptionGroup var options: JobOptions

    func run() async throws {
        await JobMain.run(job: ReconcileJob.name, options: options, requirements: [.meterIDs]) { $0.reconcileJob() }
    }
}
