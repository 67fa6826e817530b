import ArgumentParser
import TallyCLI

/// `tally-retry`: Re-send usage Stripe never received and cancel duplicates Tally caused (not implemented yet).
@main
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tally-retry", abstract: "Re-send usage Stripe never received and cancel duplicates Tally caused (not implemented yet).")

    @OptionGroup var options: JobOptions

    func run() async throws {
        NotImplementedJob.exit(job: "retry", issue: "tally-retry is the second half of the reconcile issue")
    }
}
