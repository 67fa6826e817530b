import ArgumentParser
import TallyCLI

/// `tally-report`: Finance and usage workbooks and CSVs (not implemented yet).
@main
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tally-report", abstract: "Finance and usage workbooks and CSVs (not implemented yet).")

    @OptionGroup var options: JobOptions

    func run() async throws {
        NotImplementedJob.exit(job: "report", issue: "its own issue, tally-report")
    }
}
