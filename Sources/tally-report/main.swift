import ArgumentParser
import TallyCLI
import TallyCore

/// `tally-report`: the finance and usage workbooks (XLSX with native charts) and CSVs of a month, or one
/// team's usage-history CSV for the app to offer as a download.
@main
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-report",
        abstract: "Finance and usage workbooks (XLSX with charts) and CSVs under REPORTS_DIR/YYYY-MM/.",
        discussion: JobHelp.discussion("""
            Exit 0: written; 1: written, but metered invoice lines differ from local usage (see the \
            "Invoice vs usage" sheet).
            """),
        version: TallyVersion.current)

    @OptionGroup var options: JobOptions

    @Option(help: "The UTC month to report, YYYY-MM (default: the last complete month). Not with --since/--until.")
    var month: String?

    @Option(name: .customLong("team"),
            help: "Write only this team's usage history to REPORTS_DIR/teams/TEAM/usage-history.csv (default range: the last 12 months).")
    var teamID: String?

    func validate() throws {
        if month != nil, options.since != nil || options.until != nil {
            throw ValidationError("--month cannot be combined with --since/--until: pick one way to give the range")
        }
        if let month {
            do { _ = try ReportPeriod.month(month) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        let request = ReportJob.Request(month: month, teamID: teamID)
        await JobMain.run(job: ReportJob.name, options: options) { $0.reportJob(request) }
    }
}
