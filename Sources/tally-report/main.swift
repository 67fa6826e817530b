import ArgumentParser
import Foundation
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
        let month = month
        let teamID = teamID
        await JobMain.run(job: "report", options: options) { context in
            let job = ReportJob(context: context)
            let now = context.clock.now()
            if let teamID {
                let fallback = ReportPeriod.recentMonths(12, endingAt: now)
                return try await job.teamHistory(teamID: teamID, period: try Self.period(month, context, fallback))
            }
            return try await job.monthly(period: try Self.period(month, context, .lastCompleteMonth(before: now)))
        }
    }

    /// `--month`, else `--since/--until` around the default.
    private static func period(_ month: String?, _ context: JobContext, _ fallback: ReportPeriod) throws -> ReportPeriod {
        if let month { return try ReportPeriod.month(month) }
        let range = try context.range(default: JobTimeRange(start: fallback.start, end: fallback.end))
        return ReportPeriod(start: range.start, end: range.end)
    }
}
