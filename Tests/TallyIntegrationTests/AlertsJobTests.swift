import Foundation
import Logging
import Testing
import TallyCore
import TallyTestKit

/// The real `tally-alerts` executable, as cron runs it, on a SQLite file with the plan mapping in a config file.
@Suite("tally-alerts as a process")
struct AlertsJobTests {
    @Test("blocks a team at its limit (exit 1), emails owners and ops, and a re-run is silent (exit 0)")
    func blocksThenSilent() async throws {
        let executable = try JobProcess.builtExecutable("tally-alerts")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a team on a 1,000-token plan that used 1,100 tokens this period, and one on an unmapped plan
        let database = directory.appendingPathComponent("tally.sqlite").path
        let location = DatabaseLocation.sqlite(.file(path: database))
        let now = Date()
        try await SampleAppDatabase.create(at: location, app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: "cus_acme"),
                    SampleTeam(id: 2, name: "Globex", stripeCustomerID: "cus_globex")],
            users: [SampleUser(id: 1, name: "Ann", email: "ann@acme.test")],
            members: [SampleMember(userID: 1, teamID: 1, role: "owner")],
            usage: [SampleUsage(teamID: 1, userID: 1, tokens: 1_100, createdAt: now.addingTimeInterval(-3_600))]))
        let store = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "tally.alerts-job-test"))
        // As after tally-events' first run, which lists every subscription.
        try await store.recordSubscriptionListing(SubscriptionListingRecord(
            listedAt: now, finishedAt: now, reason: .firstRun, subscriptions: 2, items: 2))
        try await store.close()
        let start = Int64(now.timeIntervalSince1970) - 5 * 86_400
        let end = start + 30 * 86_400
        try await SampleAppDatabase.execute([
            """
            INSERT INTO subscription_items (subscription_id, stripe_subscription_item_id, product_id, price_id, quantity,
                is_metered, current_period_start, current_period_end, customer_id)
            VALUES ('sub_1', 'si_1', 'prod_pro', 'price_pro', 1, 0, \(start), \(end), 'cus_acme'),
                   ('sub_2', 'si_2', 'prod_legacy', 'price_legacy', 1, 0, \(start), \(end), 'cus_globex')
            """,
        ], at: location)
        let config = directory.appendingPathComponent("tally.yaml")
        try Data("PLANS:\n  prod_pro:\n    tokens: 1000\n".utf8).write(to: config)
        let environment = [
            "STRIPE_SECRET_KEY": "sk_test_tally", "STRIPE_API_BASE": "http://127.0.0.1:9", "DATABASE_URL": "sqlite:\(database)",
            "ALERT_EMAIL": "ops@tally.test", "REPORTS_DIR": directory.appendingPathComponent("reports").path,
            "HOME": directory.path,
        ]

        // When tally-alerts runs twice
        let first = try await JobProcess.run(executable, arguments: ["--config", config.path], environment: environment,
                                             currentDirectory: directory)
        let second = try await JobProcess.run(executable, arguments: ["--config", config.path], environment: environment,
                                              currentDirectory: directory)

        // Then the first blocks Acme and exits 1, the second sends nothing and exits 0
        #expect(first.exitCode == 1, "stderr: \(first.stderr)")
        #expect(second.exitCode == 0, "stderr: \(second.stderr)")
        let reopened = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "tally.alerts-job-test"))
        let caps = try await reopened.usageCaps()
        let runs = try await reopened.recentRuns(job: "alerts", limit: 5)
        try await reopened.close()
        #expect(caps.map(\.teamID) == ["1"] && caps.first?.blocked == true)
        #expect(runs.last?.outcome?.summary.contains("no plan mapping (add them under PLANS): 2") == true)
        let outbox = directory.appendingPathComponent("reports/outbox")
        let emails = try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "eml" }.map { try ParsedEmail.parse(Data(contentsOf: $0)) }
        #expect(Set(emails.compactMap { $0.header("To") }) == ["ann@acme.test", "ops@tally.test"])
    }

    @Test("on a database tally-events never listed subscriptions in, exits 78 and says to run tally-events")
    func neverSynced() async throws {
        let executable = try JobProcess.builtExecutable("tally-alerts")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a team with a customer, on a fresh install where only tally-alerts has run
        let database = directory.appendingPathComponent("tally.sqlite").path
        try await SampleAppDatabase.create(at: .sqlite(.file(path: database)), app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: "cus_acme")]))
        let environment = [
            "STRIPE_SECRET_KEY": "sk_test_tally", "STRIPE_API_BASE": "http://127.0.0.1:9", "DATABASE_URL": "sqlite:\(database)",
            "REPORTS_DIR": directory.appendingPathComponent("reports").path, "HOME": directory.path,
        ]

        // When tally-alerts runs
        let run = try await JobProcess.run(executable, environment: environment, currentDirectory: directory)

        // Then it stops with a configuration error naming the command to run, instead of skipping every team
        #expect(run.exitCode == 78, "stderr: \(run.stderr)")
        #expect((run.stdout + run.stderr).contains("subscription state has never been synced from Stripe: run `tally-events`"))
    }
}
