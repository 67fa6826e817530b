import Foundation
import Logging

/// `tally-report`: gathers a period's billing and usage data, computes the figures, and writes
/// `reports/YYYY-MM/finance.xlsx` and `usage.xlsx` with one CSV per sheet, or one team's usage history.
public struct ReportJob: TallyJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "report"

    /// The storage roles a report reads: the app's usage and teams, the latest discrepancies, the API calls;
    /// for the dashboard also the reconciliation windows, the failed deliveries and the usage caps.
    public typealias Store = UsageSource & ReportingSource & DashboardGatherer.Store

    /// What the command line asked for.
    public struct Request: Sendable, Equatable {
        /// `--month YYYY-MM`; else `--since/--until` around the default period, else the default.
        public var month: String?
        /// `--team`: only this team's usage history (default range: the last 12 months).
        public var teamID: String?

        public init(month: String? = nil, teamID: String? = nil) {
            self.month = month
            self.teamID = teamID
        }
    }

    /// The settings a report reads.
    public struct Settings: Sendable {
        /// `REPORTS_DIR`.
        public var reportsDirectory: URL

        public init(reportsDirectory: URL) {
            self.reportsDirectory = reportsDirectory
        }
    }

    public var store: any Store
    public var stripe: any StripeAPI
    public var logger: Logger
    public var clock: any TallyClock
    /// Checked between the workbooks.
    public var interrupt: InterruptFlag
    /// A dry run gathers and computes, logs what would be written, and writes nothing.
    public var jobRun: JobRun
    public var settings: Settings
    public var request: Request
    public var files = AtomicFileWriter()

    public init(store: any Store, stripe: any StripeAPI, logger: Logger, clock: any TallyClock,
                interrupt: InterruptFlag = InterruptFlag(), jobRun: JobRun, settings: Settings, request: Request = Request()) {
        self.store = store
        self.stripe = stripe
        self.logger = logger
        self.clock = clock
        self.interrupt = interrupt
        self.jobRun = jobRun
        self.settings = settings
        self.request = request
    }

    private var dryRun: Bool { jobRun.dryRun }
    private var paths: ReportPaths { ReportPaths(root: settings.reportsDirectory) }

    /// Writes what `request` asks for: a team's usage history, or the month's workbooks.
    public func run() async throws -> JobReport {
        let now = clock.now()
        if let teamID = request.teamID {
            return try await teamHistory(teamID: teamID, period: try period(default: .recentMonths(12, endingAt: now)))
        }
        return try await monthly(period: try period(default: .lastCompleteMonth(before: now)))
    }

    /// `--month`, else `--since/--until` around the default.
    private func period(default fallback: ReportPeriod) throws -> ReportPeriod {
        if let month = request.month { return try ReportPeriod.month(month) }
        let range = try jobRun.range(default: JobTimeRange(start: fallback.start, end: fallback.end))
        return ReportPeriod(start: range.start, end: range.end)
    }

    /// Writes the finance and usage workbooks and CSVs for `period` into `reports/<period's month>/`.
    ///
    /// Exits 1 (a finding for a human) when a metered invoice line's quantity differs from local usage.
    public func monthly(period: ReportPeriod) async throws -> JobReport {
        let gatherer = ReportingDataGatherer(stripe: stripe, store: store, logger: logger)
        let data = try await gatherer.gather(period: period, now: clock.now())
        try interrupt.check()
        let finance = FinanceReport.build(from: data)
        let usage = UsageReport.build(from: data)
        let directory = paths.root.appendingPathComponent(period.monthLabel, isDirectory: true)
        try await write(finance.sheets, charts: finance.charts, workbook: "finance.xlsx", in: directory,
                        title: "Finance, \(period.monthLabel)")
        try interrupt.check()
        try await write(usage.sheets, charts: usage.charts, workbook: "usage.xlsx", in: directory,
                        title: "Usage, \(period.monthLabel)")
        try await DashboardFile.write(for: data, store: store, root: paths.root, files: files, dryRun: dryRun, logger: logger)
        let mismatches = finance.usageMismatches
        let verb = dryRun ? "would write" : "wrote"
        var summary = "\(verb) finance and usage reports for \(period.monthLabel) in \(directory.path): "
            + "\(finance.invoiceCount) invoices, \(data.usage.count) team-days of usage"
        if mismatches > 0 {
            summary += "; \(mismatches) metered invoice lines differ from local usage (see Invoice vs usage)"
        }
        return JobReport(itemsProcessed: finance.invoiceCount + data.usage.count, needsHuman: mismatches > 0,
                         summary: summary)
    }

    /// Writes `reports/teams/<team>/usage-history.csv` for one team over `period`.
    public func teamHistory(teamID: String, period: ReportPeriod) async throws -> JobReport {
        guard TeamUsageHistory.isSafePathSegment(teamID) else {
            throw UsageError(message: "--team \"\(teamID)\" is not a team id: use letters, digits, - and _ only")
        }
        let gatherer = ReportingDataGatherer(stripe: stripe, store: store, logger: logger)
        let (team, usage, subscriptions) = try await gatherer.teamHistory(teamID: teamID, period: period, now: clock.now())
        guard team != nil || !usage.isEmpty else {
            throw UsageError(message: "--team \(teamID): no such team and no usage for it; check the id in the app's teams table")
        }
        let customer = team?.stripeCustomerID ?? usage.first?.stripeCustomerID
        let price = customer.flatMap { MeteredUnitPrice.byCustomer(subscriptions)[$0] }
        let table = TeamUsageHistory.table(period: period, usage: usage, price: price)
        let url = paths.root.appendingPathComponent("teams", isDirectory: true)
            .appendingPathComponent(teamID, isDirectory: true).appendingPathComponent("usage-history.csv")
        if dryRun {
            logger.info("would write", metadata: ["file": "\(url.path)", "rows": "\(table.rows.count)"])
        } else {
            try await files.write(CSVWriter().data(for: table), to: url)
            logger.info("wrote", metadata: ["file": "\(url.path)", "rows": "\(table.rows.count)"])
        }
        let tokens = usage.reduce(0) { $0 + $1.tokens }
        return JobReport(itemsProcessed: table.rows.count,
                         summary: "\(dryRun ? "would write" : "wrote") \(url.path): \(table.rows.count) days, \(tokens) tokens")
    }

    private func write(_ sheets: [ReportSheet], charts: [ChartSpec], workbook name: String, in directory: URL,
                       title: String) async throws {
        let workbookURL = directory.appendingPathComponent(name)
        guard !dryRun else {
            logger.info("would write", metadata: ["file": "\(workbookURL.path)", "sheets": "\(sheets.map(\.table.name))"])
            for sheet in sheets {
                logger.info("would write", metadata: ["file": "\(directory.appendingPathComponent(sheet.csvFileName).path)",
                                                      "rows": "\(sheet.table.rows.count)"])
            }
            return
        }
        let tables = sheets.map(\.table)
        try await files.write(to: workbookURL) { temporaryURL in
            try await Workbook.write(to: temporaryURL, properties: DocumentProperties(title: title)) { workbook in
                // The summary (first) sheet is a list of figures with charts beside it, not a filterable table.
                let first = try tables.first.map { try workbook.addSheet($0, tableLayout: false) }
                for table in tables.dropFirst() { try workbook.addSheet(table) }
                if let first { try workbook.placeSummaryCharts(charts, on: first) }
            }
        }
        logger.info("wrote", metadata: ["file": "\(workbookURL.path)", "sheets": "\(tables.count)"])
        for sheet in sheets {
            let url = directory.appendingPathComponent(sheet.csvFileName)
            try await files.write(CSVWriter().data(for: sheet.table), to: url)
            logger.info("wrote", metadata: ["file": "\(url.path)", "rows": "\(sheet.table.rows.count)"])
        }
    }
}
