import Foundation
import GRDB
import Testing
import Logging
import TallyTestKit
@testable import TallyCore

/// `tally-alerts` end to end on each backend: usage in the app's table, items as `tally-events` syncs them,
/// the outbox as the mailer, the ledger and caps read back from the store.
@Suite("tally-alerts: thresholds once per billing period, block at the limit")
struct UsageAlertsJobTests {
    @Test("50% of the plan is an in-app note only", arguments: StoreBackendUnderTest.all)
    func halfwayIsInAppOnly(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(500)

            let summary = try await scenario.run()

            #expect(summary.evaluated == 1)
            #expect(try await scenario.ledger().map(\.key.channel) == [.inApp])
            #expect(try await scenario.ledger().allSatisfy { $0.status == .sent && $0.key.threshold == 0.5 })
            let notes = try await scenario.store.inAppNotifications(teamID: "1")
            #expect(notes.map(\.level) == ["info"])
            #expect(notes.first?.body.contains("500 of 1,000 tokens (50.0 %)") == true)
            #expect(try scenario.emails().isEmpty)
            #expect(summary.jobReport.exitStatus == .ok)
        }
    }

    @Test("from the warning threshold the owners are emailed and warned in-app; members are not emailed",
          arguments: StoreBackendUnderTest.all)
    func warningEmailsOwners(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(820)

            _ = try await scenario.run()

            let emails = try scenario.emails()
            #expect(emails.count == 1)
            #expect(emails.first?.header("To") == "ann@acme.test")
            #expect(emails.first?.header("Subject") == "Acme has used 82.0 % of its plan this period")
            #expect(emails.first?.text?.contains("(the 80 % mark)") == true)
            #expect(try await scenario.store.inAppNotifications(teamID: "1").map(\.level) == ["warning"])
        }
    }

    @Test("95% sends an urgent email", arguments: StoreBackendUnderTest.all)
    func urgentEmail(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(850)
            _ = try await scenario.run()
            try await scenario.use(110)

            _ = try await scenario.run()

            let subjects = try scenario.emails().compactMap { $0.header("Subject") }
            #expect(Set(subjects) == ["Acme has used 85.0 % of its plan this period", "Urgent: Acme has used 96.0 % of its plan this period"])
            #expect(subjects.count == 2)
        }
    }

    @Test("at the hard limit the team is blocked, owners get an upgrade prompt and ALERT_EMAIL hears of it",
          arguments: StoreBackendUnderTest.all)
    func hardLimitBlocks(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(1_000)

            let summary = try await scenario.run()

            let cap = try #require(try await scenario.cap())
            #expect(cap.blocked && cap.used == 1_000 && cap.allowance == 1_000)
            #expect(cap.blockedAt == scenario.clock.now())
            #expect(summary.newlyBlocked == ["1"])
            #expect(summary.jobReport.exitStatus == .needsHuman)
            let emails = try scenario.emails()
            let owner = try #require(emails.first { $0.header("To") == "ann@acme.test" })
            #expect(owner.header("Subject")?.contains("usage is paused until you upgrade") == true)
            #expect(owner.text?.contains("Upgrade to keep working") == true)
            let ops = try #require(emails.first { $0.header("To") == "ops@tally.test" })
            #expect(ops.header("Subject") == "Tally: team Acme (1) is blocked at 100.0 % of its plan")
            #expect(ops.html?.contains("is now flagged blocked in tally_usage_caps.") == true)
        }
    }

    @Test("a re-run in the same period is silent", arguments: StoreBackendUnderTest.all)
    func reRunIsSilent(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(900)
            _ = try await scenario.run()
            scenario.clock.advance(by: 86_400)
            try await scenario.use(10)

            let again = try await scenario.run()

            #expect(again.delivered == 0 && again.recorded == 0)
            #expect(try scenario.emails().count == 1)
            #expect(try await scenario.store.inAppNotifications(teamID: "1").count == 1)
            #expect(again.jobReport.exitStatus == .ok)
        }
    }

    @Test("a new billing period re-arms every threshold", arguments: StoreBackendUnderTest.all)
    func newPeriodReArms(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(900)
            _ = try await scenario.run()

            // Stripe renews the subscription; tally-events syncs the new period.
            try await scenario.subscribe(start: AlertsScenario.periodEnd, end: AlertsScenario.nextPeriodEnd)
            scenario.clock.advance(by: 25 * 86_400)
            let renewed = try await scenario.run()
            #expect(renewed.delivered == 0)
            #expect(try await scenario.cap()?.used == 0)
            try await scenario.use(850)
            _ = try await scenario.run()

            let emails = try scenario.emails()
            #expect(emails.count == 2)
            #expect(emails.filter { $0.text?.contains("2026-02-01 to 2026-03-01") == true }.count == 1)
            let februaryLedger = try await scenario.ledger().filter { $0.key.periodStart == AlertsScenario.periodEnd }
            #expect(Set(februaryLedger.map(\.key.threshold)) == [0.5, 0.8])
        }
    }

    @Test("a jump from 40% to 100% in one night sends one email naming the highest and records all crossed",
          arguments: StoreBackendUnderTest.all)
    func jumpSendsOneEmail(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(400)
            _ = try await scenario.run()
            #expect(try await scenario.ledger().isEmpty)
            try await scenario.use(600)

            _ = try await scenario.run()

            let ownerEmails = try scenario.emails().filter { $0.header("To") == "ann@acme.test" }
            #expect(ownerEmails.count == 1)
            #expect(ownerEmails.first?.text?.contains("(the 100 % mark)") == true)
            let ledger = try await scenario.ledger()
            #expect(Set(ledger.map(\.key.threshold)) == [0.5, 0.8, 0.95, 1.0])
            #expect(ledger.allSatisfy { $0.status == .sent })
            #expect(try await scenario.store.inAppNotifications(teamID: "1").map(\.threshold) == [1.0])
        }
    }

    @Test("a plan upgrade that lowers the ratio clears the block", arguments: StoreBackendUnderTest.all)
    func upgradeClearsBlock(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(1_200)
            _ = try await scenario.run()
            #expect(try await scenario.cap()?.blocked == true)

            try await scenario.subscribe(price: "price_big")
            let summary = try await scenario.run()

            let cap = try #require(try await scenario.cap())
            #expect(!cap.blocked && cap.blockedAt == nil && cap.allowance == 10_000)
            #expect(summary.unblocked == ["1"] && summary.blocked == 0)
            #expect(summary.jobReport.exitStatus == .ok)
        }
    }

    @Test("a failing channel stays due and is retried by the next run, never holding up the others",
          arguments: StoreBackendUnderTest.all)
    func failingChannelIsRetried(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(850)
            let closedPort = try FreePort.find()

            let failed = try await scenario.run(mailer: SMTPMailer(url: Secret("smtp://127.0.0.1:\(closedPort)"), timeout: 5))

            #expect(failed.failed == 1 && failed.jobReport.exitStatus == .needsHuman)
            let email = try await scenario.ledger().filter { $0.key.channel == .email }
            #expect(!email.isEmpty && email.allSatisfy { $0.status == .failed && $0.lastError != nil })
            #expect(try await scenario.store.inAppNotifications(teamID: "1").count == 1)

            let retried = try await scenario.run()

            #expect(retried.failed == 0 && retried.delivered == 1)
            #expect(try scenario.emails().map { $0.header("To") } == ["ann@acme.test"])
            #expect(try await scenario.ledger().allSatisfy { $0.status == .sent })
        }
    }

    @Test("teams without an active subscription or a plan mapping are skipped with a reason; product metadata maps",
          arguments: StoreBackendUnderTest.all)
    func skippedTeams(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.subscribe(customer: "cus_globex", item: "si_globex", product: "prod_legacy", price: "price_legacy")

            let unmapped = try await scenario.run()
            #expect(unmapped.skipped["2"] == .unmappedPlan(ids: ["price_legacy"]))
            #expect(unmapped.line.contains("1 teams have no plan mapping (add them under PLANS): 2"))
            let report = try String(contentsOf: try #require(unmapped.reportFile), encoding: .utf8)
            #expect(report.contains("\r\n2,Globex,skipped,no plan mapping for price_legacy (add it under PLANS"))
            #expect(report.contains("\r\n1,Acme,evaluated,,2026-01-01,2026-02-01,1000,0,0"))

            scenario.stripe = ProductCatalogStripe(products: ["prod_legacy": ["tally_tokens": "2000"]])
            try await scenario.use(1_700, team: 2)
            let mapped = try await scenario.run()
            #expect(mapped.evaluated == 2 && mapped.skipped.isEmpty)
            #expect(try await scenario.cap(team: "2")?.allowance == 2_000)

            try await SampleAppDatabase.execute(["DELETE FROM subscription_items WHERE customer_id = 'cus_globex'"], at: scenario.location)
            let ended = try await scenario.run()
            #expect(ended.skipped["2"] == .noActiveSubscription)
        }
    }

    @Test("on a store whose subscriptions were never listed, it stops with exit 78 and names tally-events",
          arguments: StoreBackendUnderTest.all)
    func neverSynced(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend, subscriptionsListed: false) { scenario in
            // Given a team with usage, and tally-events never listed Stripe's subscriptions
            try await scenario.use(900)

            // When tally-alerts runs
            let failure = await #expect(throws: SubscriptionStateNeverSynced.self) { try await scenario.run() }

            // Then it stops as a configuration error saying what to run, having recorded and sent nothing
            #expect(failure?.exitStatus.rawValue == 78)
            #expect(failure?.description.contains("run `tally-events` (its first run lists every subscription), then run tally-alerts again") == true)
            #expect(try await scenario.cap() == nil)
            #expect(try scenario.emails().isEmpty)
        }
    }

    @Test("a team naming a subscription Tally has not synced is \"not synced yet\", not \"no active subscription\", and needs a human",
          arguments: StoreBackendUnderTest.all)
    func subscriptionNotSynced(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            // Given Acme on its plan, and Globex naming a subscription no event or listing brought
            try await scenario.subscribe()
            try await SampleAppDatabase.execute(["UPDATE teams SET stripe_subscription_id = 'sub_new' WHERE id = 2"],
                                                at: scenario.location)

            // When tally-alerts runs
            let summary = try await scenario.run()

            // Then Globex is skipped as not synced yet, in the summary, the report and the exit code
            #expect(summary.evaluated == 1)
            #expect(summary.skipped["2"] == .subscriptionNotSynced(subscriptionID: "sub_new"))
            #expect(summary.line.contains("1 teams name a subscription not synced yet (run tally-events): 2"))
            #expect(summary.jobReport.exitStatus == .needsHuman)
            let report = try String(contentsOf: try #require(summary.reportFile), encoding: .utf8)
            #expect(report.contains("\r\n2,Globex,skipped,subscription sub_new not synced yet"))
            #expect(!report.contains("no active subscription"))
        }
    }

    @Test("a dry run computes but records and sends nothing", arguments: StoreBackendUnderTest.all)
    func dryRun(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe()
            try await scenario.use(1_000)

            let summary = try await scenario.run(dryRun: true)

            #expect(summary.recorded == 4 && summary.blocked == 1)
            #expect(try await scenario.ledger().isEmpty)
            #expect(try await scenario.cap() == nil)
            #expect(try scenario.emails().isEmpty)
        }
    }

    @Test("usage before the period, after now, negative or of other teams is not counted", arguments: StoreBackendUnderTest.all)
    func periodUsageBoundaries(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            try await scenario.subscribe(start: AlertsScenario.periodStart.addingTimeInterval(3_600))
            try await scenario.use(5_000, at: AlertsScenario.periodStart)  // an hour before this period starts
            try await scenario.use(100, at: AlertsScenario.periodStart.addingTimeInterval(3_600))
            try await scenario.use(200, at: AlertsScenario.periodStart.addingTimeInterval(86_400 + 3_600))
            try await scenario.use(-50)
            try await scenario.use(7_000, at: scenario.clock.now().addingTimeInterval(60))
            try await scenario.use(9_000, team: 2)

            let usage = try await scenario.store.periodUsage(
                [TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart.addingTimeInterval(3_600), end: AlertsScenario.periodEnd)],
                now: scenario.clock.now())

            #expect(usage == [PeriodUsage(teamID: "1", tokens: 300)])
        }
    }

    @Test("on SQLite the period usage is read in slices of the row ids on connections of their own, adding up to the one query's totals",
          arguments: StoreBackendUnderTest.all)
    func periodUsageInSlices(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend) { scenario in
            // Given two teams with 90 rows each spread over the period, and rows that must not count: before the
            // period, negative, after now
            let start = AlertsScenario.periodStart
            var expected: [String: Int64] = [:]
            for index in 0..<180 {
                let team = Int64(index % 2 + 1), tokens = Int64(1 + index * 37 % 1_000)
                try await scenario.use(tokens, team: team, at: start.addingTimeInterval(Double(index) * 600))
                expected["\(team)", default: 0] += tokens
            }
            try await scenario.use(5_000, team: 2, at: start.addingTimeInterval(-60))
            try await scenario.use(-50, team: 2)
            try await scenario.use(7_000, team: 1, at: scenario.clock.now().addingTimeInterval(60))
            let periods = (1...2).map { TeamBillingPeriod(teamID: "\($0)", start: start, end: AlertsScenario.periodEnd) }
            let store = try #require(scenario.store as? SQLStore)

            // When it is read in one query, and in 2, 3 and 4 slices
            let whole = try await store.periodUsage(periods, now: scenario.clock.now(), slices: 1)
            let sliced = try await [2, 3, 4].asyncMap { try await store.periodUsage(periods, now: scenario.clock.now(), slices: $0) }

            // Then every reading has the exact totals; SQLite read the slices asked for, PostgreSQL (which runs a
            // scan in parallel itself) one query
            let expectedUsage = expected.map { PeriodUsage(teamID: $0.key, tokens: $0.value) }.sorted { $0.teamID < $1.teamID }
            #expect(whole.slicesRead == 1 && whole.usage.sorted { $0.teamID < $1.teamID } == expectedUsage)
            for (reading, slices) in zip(sliced, [2, 3, 4]) {
                #expect(reading.usage.sorted { $0.teamID < $1.teamID } == expectedUsage)
                #expect(reading.slicesRead == (backend == .sqlite ? slices : 1))
            }
        }
    }

    @Test("an app database in WAL mode is read in slices too")
    func walSlices() async throws {
        try await AlertsScenario.run(on: .sqlite) { scenario in
            guard case .sqlite(.file(let path)) = scenario.location else { Issue.record("expected a SQLite file"); return }
            let app = try DatabaseQueue(path: path)
            try await app.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
            try app.close()
            for tokens: Int64 in [100, 250, 30, 400, 7] { try await scenario.use(tokens, team: 1) }
            let store = try #require(scenario.store as? SQLStore)
            let reading = try await store.periodUsage(
                [TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)],
                now: scenario.clock.now(), slices: 2)
            #expect(reading.slicesRead == 2)
            #expect(reading.usage == [PeriodUsage(teamID: "1", tokens: 787)])
        }
    }

    @Test("a usage query the database rejects is a USAGE_QUERY error, whether read in slices or not")
    func brokenQueryInSlices() async throws {
        try await AlertsScenario.run(on: .sqlite) { scenario in
            try await scenario.use(100, team: 1)
            let query = UsageQuery.default(for: .sqlite).replacingOccurrences(of: "tu.tokens AS tokens", with: "tu.no_such_column AS tokens")
            let store = try await openStore(StoreConfiguration(location: scenario.location, usageQuery: query), logger: Logger(label: "test"))
            let sqlStore = try #require(store as? SQLStore)
            for slices in [1, 2] {
                let error = try await #require(throws: ConfigurationError.self) {
                    try await sqlStore.periodUsage(
                        [TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)],
                        now: scenario.clock.now(), slices: slices)
                }
                #expect(error.key == "USAGE_QUERY")
                #expect(error.description.contains("no_such_column"))
            }
            try await store.close()
        }
    }

    @Test("usage ids that are text are read in one query, rows without an id beside the slices, each row counted once",
          arguments: [("'row-' || tu.id AS id", 1), ("CASE WHEN tu.tokens > 200 THEN NULL ELSE tu.id END AS id", 2)])
    func unusualIDs(idColumn: String, slicesRead: Int) async throws {
        try await AlertsScenario.run(on: .sqlite) { scenario in
            for tokens: Int64 in [100, 250, 30, 400, 7] { try await scenario.use(tokens, team: 1) }
            let query = UsageQuery.default(for: .sqlite).replacingOccurrences(of: "tu.id AS id", with: idColumn)
            let store = try await openStore(StoreConfiguration(location: scenario.location, usageQuery: query), logger: Logger(label: "test"))
            let sqlStore = try #require(store as? SQLStore)
            let reading = try await sqlStore.periodUsage(
                [TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)],
                now: scenario.clock.now(), slices: 2)
            try await store.close()
            #expect(reading.slicesRead == slicesRead)
            #expect(reading.usage == [PeriodUsage(teamID: "1", tokens: 787)])
        }
    }
}
