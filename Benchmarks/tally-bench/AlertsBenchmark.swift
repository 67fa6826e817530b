import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallyTestKit

/// `tally-bench alerts`: the real `tally-alerts` executable, default settings, recording every due notice
/// and writing the outbox, against `sqlite3` running the aggregate underneath it (each team's usage per day
/// of its own billing period) on the same file, the two interleaved. At ¼, ½ and full size, so the growth
/// shows.
struct AlertsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Times the tally-alerts executable against sqlite3 running its aggregate query alone, interleaved.")

    @Option(help: "Teams at full size, each with an owner and a subscription item.")
    var teams = 100_000

    @Option(help: "Usage rows at full size, spread over the teams and the billing period so far.")
    var rows = 5_000_000

    @Option(parsing: .upToNextOption, help: "Sizes to run, as shares of the full size.")
    var scales: [Double] = [0.25, 0.5, 1]

    @Option(help: "Interleaved pairs (tally-alerts, sqlite3) per size; the median is reported.")
    var repetitions = 3

    @Option(help: "The tally-alerts executable (default: next to this benchmark).")
    var executable: String?

    @Flag(help: "Keep the scratch directory and print its path.")
    var keep = false

    func run() async throws {
        let job = executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tally-alerts").path
        print("| size | teams | rows | tally-alerts (median) | sqlite3 aggregate (median) | ratio, median (spread) | peak memory | notices recorded | emails written | in-app rows | load |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        var medians: [(scale: Double, alerts: Double, sqlite: Double)] = []
        var scratch: [URL] = []
        // Each size's files are removed only after the last size: on a file system without a journal, ext4
        // skips inodes freed in the last 30 s when it creates files, so deleting one size's 45,000 outbox files
        // just before the next size writes its own would slow the next size down by the benchmark's own doing.
        defer {
            for directory in scratch {
                if keep { print("kept: \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
            }
        }
        for scale in scales {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-alerts-\(UUID().uuidString)")
            scratch.append(directory)
            medians.append(try await measure(scale: scale, job: job, in: directory))
        }
        // How the cost grows from one size to the next, beside the growth of sqlite3's aggregate.
        for (smaller, larger) in zip(medians, medians.dropFirst()) {
            print(String(format: "growth %.2f → %.2f: tally-alerts %.2fx, sqlite3 %.2fx", smaller.scale, larger.scale,
                         larger.alerts / max(smaller.alerts, 1e-9), larger.sqlite / max(smaller.sqlite, 1e-9)))
        }
    }

    private func measure(scale: Double, job: String, in directory: URL) async throws -> (scale: Double, alerts: Double, sqlite: Double) {
        let teams = max(1, Int(Double(self.teams) * scale)), rows = max(1, Int(Double(self.rows) * scale))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pristine = directory.appendingPathComponent("pristine.sqlite").path
        let now = Date()
        let periodStart = JobTimeRange.startOfUTCDay(now).addingTimeInterval(-20 * 86_400)
        let periodEnd = periodStart.addingTimeInterval(31 * 86_400)
        try await Self.prepare(path: pristine, teams: teams, rows: rows, periodStart: periodStart, periodEnd: periodEnd,
                               usageEnd: now.addingTimeInterval(-3_600))

        // Plans of 20,000 to 60,000 tokens, so teams sit at different thresholds.
        let config = directory.appendingPathComponent("tally.yaml")
        try Data(("PLANS:\n" + (0..<5).map { "  prod_\($0):\n    tokens: \(20_000 + 10_000 * $0)\n" }.joined()).utf8).write(to: config)
        let sql = directory.appendingPathComponent("aggregate.sql")
        try Data(Self.aggregateScript(now: now, periodStart: periodStart, periodEnd: periodEnd).utf8).write(to: sql)

        var alertTimes: [Double] = [], sqliteTimes: [Double] = [], peaks: [Double] = []
        var delivered = Delivered()
        for repetition in 0..<repetitions {
            // Each run starts from the same state: a run records its notices, and the next would find none due.
            let database = directory.appendingPathComponent("run.sqlite").path
            try? FileManager.default.removeItem(atPath: database)
            try FileManager.default.copyItem(atPath: pristine, toPath: database)
            let reports = directory.appendingPathComponent("reports-\(repetition)")
            let environment = [
                "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:\(database)", "STRIPE_SECRET_KEY": "sk_test_bench",
                // Every plan is in PLANS, so no Stripe call is due; one would fail at once on this closed port.
                "STRIPE_API_BASE": "http://127.0.0.1:9", "REPORTS_DIR": reports.path, "ALERT_EMAIL": "ops@example.test",
                "MAIL_FROM": "Tally <tally@example.test>", "LOG_LEVEL": "warning",
            ]
            let log = directory.appendingPathComponent("alerts-\(repetition).log").path
            let alerts = try await Interleaved.run([job, "--config", config.path], environment: environment, log: log)
            guard alerts.exitCode == 0 || alerts.exitCode == 1 else {
                throw ValidationError("tally-alerts exited \(alerts.exitCode): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            alertTimes.append(alerts.seconds)
            peaks.append(alerts.peakMegabytes)
            let sqlite = try await Interleaved.run(["/usr/bin/sqlite3", database, ".read \(sql.path)"])
            guard sqlite.exitCode == 0 else { throw ValidationError("sqlite3 exited \(sqlite.exitCode)") }
            sqliteTimes.append(sqlite.seconds)
            delivered = try await Delivered.verify(database: database, outbox: reports.appendingPathComponent("outbox"))
        }
        print(String(format: "| %.2f | %d | %d | %.2f s | %.2f s | %@ | %.0f MB | %d | %d | %d | %@ |", scale, teams, rows,
                     Interleaved.median(alertTimes), Interleaved.median(sqliteTimes),
                     Interleaved.ratioText(alertTimes, over: sqliteTimes), peaks.max() ?? 0, delivered.recorded, delivered.emails,
                     delivered.inApp, Interleaved.loadAverage()))
        return (scale, Interleaved.median(alertTimes), Interleaved.median(sqliteTimes))
    }

    /// What a run left behind, checked against its ledger: every notice sent, one outbox email per team and
    /// email channel, one in-app row per team with an in-app notice. A run that skipped work fails the benchmark.
    struct Delivered {
        var recorded = 0, emails = 0, inApp = 0

        static func verify(database: String, outbox: URL) async throws -> Delivered {
            let ledger = "tally_usage_notifications"
            let recorded = try await AlertsBenchmark.count("SELECT COUNT(*) FROM \(ledger)", path: database)
            let unsent = try await AlertsBenchmark.count("SELECT COUNT(*) FROM \(ledger) WHERE status <> 'sent'", path: database)
            let expectedEmails = try await AlertsBenchmark.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT team_id, channel FROM \(ledger) WHERE channel IN ('email', 'ops'))", path: database)
            let expectedInApp = try await AlertsBenchmark.count("SELECT COUNT(DISTINCT team_id) FROM \(ledger) WHERE channel = 'in_app'", path: database)
            let inApp = try await AlertsBenchmark.count("SELECT COUNT(*) FROM tally_notifications", path: database)
            let emails = ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []).filter { $0.hasSuffix(".eml") }.count
            guard recorded > 0, unsent == 0, emails == expectedEmails, inApp == expectedInApp else {
                throw ValidationError("""
                    tally-alerts left \(unsent) of \(recorded) notices unsent, \(emails) emails for \(expectedEmails) due, \
                    \(inApp) in-app rows for \(expectedInApp) due (\(database))
                    """)
            }
            return Delivered(recorded: recorded, emails: emails, inApp: inApp)
        }
    }

    /// The app's tables with `teams` teams (an owner each) and `rows` usage rows, every team's subscription item
    /// synced for the period, and a subscription listing on record (as after `tally-events`' first run).
    static func prepare(path: String, teams: Int, rows: Int, periodStart: Date, periodEnd: Date, usageEnd: Date) async throws {
        let location = DatabaseLocation.sqlite(.file(path: path))
        try await SampleAppDatabase.create(at: location, app: SampleApp(
            teams: (1...teams).map { SampleTeam(id: Int64($0), name: "Team \($0)", stripeCustomerID: "cus_\($0)") },
            users: (1...teams).map { SampleUser(id: Int64($0), name: "Owner \($0)", email: "owner\($0)@example.test") },
            members: (1...teams).map { SampleMember(userID: Int64($0), teamID: Int64($0), role: "owner") }))
        let spacing = usageEnd.timeIntervalSince(periodStart) / TimeInterval(max(1, rows))
        try await SampleAppDatabase.insertUsage(count: rows, at: location) { index in
            let team = Int64(index % teams + 1)
            return SampleUsage(teamID: team, userID: team, tokens: Int64(1 + (index &* 7_919) % 1_000),
                               createdAt: periodStart.addingTimeInterval(spacing * TimeInterval(index)))
        }
        let store = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "tally-bench"))
        try await SampleAppDatabase.execute([
            """
            INSERT INTO subscription_items (subscription_id, stripe_subscription_item_id, product_id, price_id, quantity,
                is_metered, current_period_start, current_period_end, customer_id)
            SELECT 'sub_' || id, 'si_' || id, 'prod_' || (id % 5), 'price_' || (id % 5), 1, 0,
                   \(Int64(periodStart.timeIntervalSince1970)), \(Int64(periodEnd.timeIntervalSince1970)), stripe_customer_id
            FROM teams
            """,
            """
            INSERT INTO tally_subscription_syncs (subscription_id, event_id, event_created, ended, customer_id)
            SELECT 'sub_' || id, 'evt_listing', \(Int64(usageEnd.timeIntervalSince1970)), 0, stripe_customer_id FROM teams
            """,
        ], at: location)
        try await store.recordSubscriptionListing(SubscriptionListingRecord(
            listedAt: usageEnd, finishedAt: usageEnd, reason: .firstRun, subscriptions: teams, items: teams))
        try await store.close()
    }

    /// The aggregate tally-alerts runs, for `sqlite3`: the periods in a temporary table, then the one query.
    static func aggregateScript(now: Date, periodStart: Date, periodEnd: Date) -> String {
        let sql = UsageSQL(backend: .sqlite, usageQuery: UsageQuery.default(for: .sqlite)).periodUsage
            .replacingOccurrences(of: "?1", with: String(Int64(periodStart.timeIntervalSince1970)))
            .replacingOccurrences(of: "?2", with: String(Int64(periodEnd.timeIntervalSince1970)))
            .replacingOccurrences(of: "?3", with: String(Int64(now.timeIntervalSince1970)))
        return """
            \(UsageSQL.createAlertPeriods);
            INSERT INTO \(UsageSQL.alertPeriodsTable) SELECT CAST(t.id AS TEXT), s.current_period_start, s.current_period_end
                FROM teams t JOIN subscription_items s ON s.customer_id = t.stripe_customer_id;
            .output /dev/null
            \(sql);
            """
    }

    static func count(_ sql: String, path: String) async throws -> Int {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-count-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = try SpawnedProcess.spawn("/usr/bin/sqlite3", arguments: [path, sql], stdout: output)
        _ = await process.wait()
        return Int(((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
