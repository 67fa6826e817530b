import ArgumentParser
import TallyCLI

/// `tally-reconcile`: Reconcile local usage against Stripe meter event summaries (not implemented yet).
@main
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tally-reconcile", abstract: "Reconcile local usage against Stripe meter event summaries (not implemented yet).")

    @OptionGroup var options: JobOptions

    func run() async throws {
        NotImplementedJob.exit(job: "reconcile", issue: "its own issue, tally-reconcile")
    }
}
