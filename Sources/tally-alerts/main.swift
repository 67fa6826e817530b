import ArgumentParser
import TallyCLI

/// `tally-alerts`: Usage-threshold notifications once per billing period, with a block flag (not implemented yet).
@main
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tally-alerts", abstract: "Usage-threshold notifications once per billing period, with a block flag (not implemented yet).")

    @OptionGroup var options: JobOptions

    func run() async throws {
        NotImplementedJob.exit(job: "alerts", issue: "its own issue, tally-alerts")
    }
}
