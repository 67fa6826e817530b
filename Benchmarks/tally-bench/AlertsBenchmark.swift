import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallyTestKit

/// `tally-bench alerts`: one `tally-alerts` evaluation of every team (allowances, the one aggregate usage
/// query, ledger, caps) against the `sqlite3` CLI running just the underlying aggregate query on the same file.
struct AlertsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Times a tally-alerts evaluation of every team against sqlite3 running the aggregate query alone."
    )

    @Option(help: "Teams, each with an owner and a subscription item.")
    var teams = 100_000

    @Option(help: "Usage rows, spread over the teams and the billing period so far.")
    var rows = 5_000_000

    @Option(help: "Timed repetitions per contender; the median is reported.")
    var repetitions = 3

    func run() async throws {
        let periodStart = Date(timeIntervalSince1970: 1_767_225_600)
        let periodEnd = periodStart.addingTimeInterval(31 * 86_400)
        let now = periodStart.addingTimeInterval(20 * 86_400)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("app.sqlite").path
        let location = DatabaseLocation.sqlite(.file(path: path))

        let teams = self.teams, rows = self.rows
        let insertStart = ContinuousClock.now
        try await SampleAppDatabase.create(at: location, app: SampleApp(
            teams: (1...teams).map { SampleTeam(id: Int64($0), name: "Team \($0)", stripeCustomerID: "cus_\($0)") },
            users: (1...teams).map { SampleUser(id: Int64($0), name: "Owner \($0)", email: "owner\($0)@example.test") },
            members: (1...teams).map { SampleMember(userID: Int64($0), teamID: Int64($0), role: "owner") }))
        let spacing = now.timeIntervalSince(periodStart) / TimeInterval(max(1, rows))
        try await SampleAppDatabase.insertUsage(count: rows, at: location) { index in
            let team = Int64(index % teams + 1)
            return SampleUsage(teamID: team, userID: team, tokens: Int64(1 + (index &* 7_919) % 1_000),
                               createdAt: periodStart.addingTimeInterval(spacing * TimeInterval(index)))
        }
        let store = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "tally-bench"))
        // Plans of 20,000 to 60,000 tokens, so teams sit at different thresholds.
        try await SampleAppDatabase.execute([
            """
            INSERT INTO subscription_items (subscription_id, stripe_subscription_item_id, product_id, price_id, quantity,
                is_metered, current_period_start, current_period_end, customer_id)
            SELECT 'sub_' || id, 'si_' || id, 'prod_' || (id % 5), 'price_' || (id % 5), 1, 0,
                   \(Int64(periodStart.timeIntervalSince1970)), \(Int64(periodEnd.timeIntervalSince1970)), stripe_customer_id
            FROM teams
            """,
        ], at: location)
        // As after tally-events' first run: alerts refuses a store whose subscriptions were never listed.
        try await store.recordSubscriptionListing(SubscriptionListingRecord(
            listedAt: now, finishedAt: now, reason: .firstRun, subscriptions: teams, items: teams))
        print("sqlite: \(teams) teams, \(rows) usage rows written in \(ContinuousClock.now - insertStart)")

        let environmentFile = directory.appendingPathComponent("bench.env")
        try Data("# tally-bench alerts\n".utf8).write(to: environmentFile)
        var configuration = try await ConfigurationLoader.load(ConfigurationSources(
            environmentFile: environmentFile.path,
            environment: ["STRIPE_SECRET_KEY": "sk_test_bench", "REPORTS_DIR": directory.appendingPathComponent("reports").path]))
        configuration.plans = PlanCatalog(Dictionary(uniqueKeysWithValues: (0..<5).map {
            ("prod_\($0)", PlanAllowance(tokens: Int64(20_000 + 10_000 * $0)))
        }))
        var logger = Logger(label: "tally-bench")
        logger.logLevel = .error
        let context = JobContext(configuration: configuration, store: store, stripe: NoStripe(), mailer: configuration.makeMailer(),
                                 logger: logger, clock: ManualClock(now: now), interrupt: InterruptFlag(), dryRun: true,
                                 since: nil, until: nil, runID: 0)
        var jobTimes: [Duration] = []
        var summary: UsageAlertsSummary?
        for _ in 0..<repetitions {
            let began = ContinuousClock.now
            summary = try await UsageAlertsJob(http: CurlTransport()).evaluate(context)
            jobTimes.append(ContinuousClock.now - began)
        }
        try await store.close()

        let usageSQL = UsageSQL(backend: .sqlite, usageQuery: UsageQuery.default(for: .sqlite)).periodUsage
            .replacingOccurrences(of: "?1", with: String(Int64(periodStart.timeIntervalSince1970)))
            .replacingOccurrences(of: "?2", with: String(Int64(periodEnd.timeIntervalSince1970)))
            .replacingOccurrences(of: "?3", with: String(Int64(now.timeIntervalSince1970)))
        let script = """
            CREATE TEMP TABLE tally_alert_periods (team_id TEXT PRIMARY KEY, period_start INTEGER NOT NULL, period_end INTEGER NOT NULL);
            INSERT INTO temp.tally_alert_periods SELECT CAST(t.id AS TEXT), s.current_period_start, s.current_period_end
                FROM teams t JOIN subscription_items s ON s.customer_id = t.stripe_customer_id;
            \(usageSQL);
            """
        var cliTimes: [Duration] = []
        for _ in 0..<repetitions {
            let began = ContinuousClock.now
            try await StoreBenchmark.runQuietly(["/usr/bin/env", "sqlite3", path, script])
            cliTimes.append(ContinuousClock.now - began)
        }
        let job = StoreBenchmark.median(jobTimes), cli = StoreBenchmark.median(cliTimes)
        let ratio = job.timeInterval / max(cli.timeInterval, 1e-9)
        print("sqlite: evaluated \(summary?.evaluated ?? 0) teams (\(summary?.recorded ?? 0) thresholds due, \(summary?.blocked ?? 0) blocked); "
            + "tally-alerts median \(job), sqlite3 aggregate median \(cli), ratio \(String(format: "%.2f", ratio))")
    }
}

/// No Stripe: every plan is in the mapping, so the benchmark never calls it.
private struct NoStripe: StripeAPI {
    func send(_ request: StripeRequest) async throws -> StripeResponse {
        throw StripeError(code: .network, endpoint: request.endpoint, message: "the benchmark has no Stripe")
    }
}
