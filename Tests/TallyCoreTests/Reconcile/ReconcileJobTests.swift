import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The reconciliation use-case end to end, against the simulator on loopback and a sample app database:
/// each kind of gap planted once, found with the right customer, window and amount.
@Suite("tally-reconcile finds, pins and classifies every gap")
struct ReconcileJobTests {
    /// The job runs at 03:00 UTC on 2026-11-25: the default range is 2026-11-21 ..< 2026-11-25.
    static let now = instant("2026-11-25T03:00:00Z")

    /// One gap of each class, plus matching usage around them.
    static var planted: ReconcileScenario {
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [
            .init(name: "Acme", teamID: 1),
            .init(name: "Beta", teamID: 2),
            .init(name: "<b>Evil & Co</b>\r\nBcc: victim@example.com", teamID: 3),
            .init(name: "Ghost Ltd", teamID: nil),
        ]
        scenario.teamsWithoutCustomer = [5]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 100, createdAt: instant("2026-11-24T10:00:00Z"), reportedAt: instant("2026-11-24T10:00:05Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 50, createdAt: instant("2026-11-24T10:30:00Z")),  // never reported
            SampleUsage(teamID: 1, userID: nil, tokens: 20, createdAt: instant("2026-11-22T09:00:00Z"), reportedAt: instant("2026-11-22T09:00:05Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 7, createdAt: instant("2026-11-23T23:59:59Z"), reportedAt: instant("2026-11-24T00:00:01Z")),
            SampleUsage(teamID: 2, userID: nil, tokens: 200, createdAt: instant("2026-11-24T14:15:00Z"), reportedAt: instant("2026-11-24T14:15:05Z")),  // lost
            SampleUsage(teamID: 2, userID: nil, tokens: 60, createdAt: instant("2026-11-23T12:00:00Z"), reportedAt: instant("2026-11-23T12:00:05Z")),
            SampleUsage(teamID: 3, userID: nil, tokens: 10, createdAt: instant("2026-11-23T08:00:00Z"), reportedAt: instant("2026-11-23T08:00:05Z")),
            SampleUsage(teamID: 5, userID: nil, tokens: 30, createdAt: instant("2026-11-23T11:00:00Z")),  // no Stripe customer
            SampleUsage(teamID: nil, userID: nil, tokens: 5, createdAt: instant("2026-11-23T05:00:00Z")),  // bad: no team
            SampleUsage(teamID: 1, userID: nil, tokens: -3, createdAt: instant("2026-11-23T06:00:00Z")),  // bad: negative
            SampleUsage(teamID: 1, userID: nil, tokens: 99, createdAt: instant("2026-11-26T10:00:00Z")),  // bad: future
        ]
        scenario.stripeEvents = [
            (0, 100, instant("2026-11-24T10:00:00Z")), (0, 20, instant("2026-11-22T09:00:00Z")),
            (0, 7, instant("2026-11-23T23:59:59Z")), (1, 60, instant("2026-11-23T12:00:00Z")),
            (2, 10, instant("2026-11-23T08:00:00Z")), (2, 75, instant("2026-11-23T08:20:00Z")),  // a duplicate
            (3, 40, instant("2026-11-22T16:00:00Z")),  // a customer no team knows
        ]
        return scenario
    }

    @Test("each planted gap is found once, with its customer, window, amount and class", arguments: StoreBackendUnderTest.all)
    func findsEveryClass(backend: StoreBackendUnderTest) async throws {
        try await Self.planted.run(on: backend) { world in
            // When the job runs with its default range
            let report = try await world.composition.reconcileJob().run()

            // Then every class is found where it was planted
            let runs = try await world.store.reconciliationRuns(jobRunID: world.composition.jobRun.runID)
            let run = try #require(runs.first)
            #expect(runs.count == 1)
            #expect(run.start == instant("2026-11-21T00:00:00Z") && run.end == instant("2026-11-25T00:00:00Z"))
            let stored = try await world.store.discrepancies(reconciliationRunID: run.id)
            let found = stored.map(\.discrepancy)
            #expect(found.count == 8, "\(found.map { "\($0.kind.rawValue) \($0.customerID ?? "-") \($0.difference)" })")
            let ids = world.customerIDs

            let unreported = try #require(found.first { $0.kind == .unreported })
            let acmeRows = try await world.store.usageRows(from: instant("2026-11-24T00:00:00Z"), to: instant("2026-11-25T00:00:00Z"), customer: ids[0])
            #expect(unreported.customerID == ids[0] && unreported.teamID == "1")
            #expect(unreported.difference == 50)
            #expect(unreported.windowStart <= instant("2026-11-24T10:30:00Z") && instant("2026-11-24T10:30:00Z") < unreported.windowEnd)
            #expect(unreported.windowEnd.timeIntervalSince(unreported.windowStart) <= 1_800)
            #expect(unreported.usageRowIDs == acmeRows.filter { $0.tokens == 50 }.map(\.id))
            #expect(unreported.repair == .retry)

            let lost = try #require(found.first { $0.kind == .lostAfterAck })
            #expect(lost.customerID == ids[1] && lost.difference == 200)
            #expect(lost.windowStart <= instant("2026-11-24T14:15:00Z") && instant("2026-11-24T14:15:00Z") < lost.windowEnd)
            #expect(lost.usageRowIDs.count == 1)
            #expect(lost.repair == .retry)  // acknowledged within Stripe's 24 h identifier window

            let extra = try #require(found.first { $0.kind == .extraInStripe })
            #expect(extra.customerID == ids[2] && extra.difference == -75 && extra.stripeValue == 75)
            #expect(extra.windowStart == instant("2026-11-23T08:20:00Z") && extra.windowEnd == instant("2026-11-23T08:21:00Z"))
            #expect(extra.repair == .human)

            let unknown = try #require(found.first { $0.kind == .unknownCustomer })
            #expect(unknown.customerID == ids[3] && unknown.stripeValue == 40 && unknown.localValue == 0)
            #expect(unknown.windowStart == instant("2026-11-22T00:00:00Z"))

            let missing = try #require(found.first { $0.kind == .missingCustomer })
            #expect(missing.customerID == nil && missing.teamID == "5" && missing.localValue == 30)

            #expect(found.filter { $0.kind == .badRows }.map(\.localValue) == [1, 1, 1])
            #expect(run.badRows == BadUsageRows(missingTeam: 1, negativeTokens: 1, futureTimestamp: 1))

            // And the row at 23:59:59 counted on its own day on both sides: nothing else was found
            #expect(!found.contains { $0.customerID == ids[0] && $0.windowStart < instant("2026-11-24T00:00:00Z") })
            #expect(run.localTotal == 477 && run.absoluteDiscrepancy == 395)
            #expect(report.needsHuman && report.exitStatus == .needsHuman)

            // And every customer-day was compared and stored
            let windows = try await world.store.reconciliationWindows(reconciliationRunID: run.id)
            #expect(windows.filter { $0.granularity == .day }.count == 4 * 4)
            #expect(windows.contains { $0.granularity == .minutes && $0.customerID == ids[2] })
        }
    }

    @Test("the CSV lists every discrepancy with what tally-retry or a person must do")
    func writesCSV() async throws {
        try await Self.planted.run { world in
            _ = try await world.composition.reconcileJob().run()

            let url = world.reportsDirectory.appendingPathComponent("2026-11-24/reconciliation.csv")
            let text = try String(contentsOf: url, encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "Meter,Customer,Team,Window Start (UTC),Window End (UTC),Local,Stripe,Difference,Class,Repair,Suggested Action,Usage Rows")
            #expect(lines.count == 1 + 8)
            let extra = try #require(lines.first { $0.contains("extra_in_stripe") })
            #expect(extra.hasPrefix("\(world.meterID),\(world.customerIDs[2]),3,2026-11-23T08:20:00Z,2026-11-23T08:21:00Z,0,75,-75,extra_in_stripe,human,"))
            #expect(lines.contains { $0.contains(",unreported,tally-retry,") })
        }
    }

    @Test("the workbook has the summary first with a native chart, then the discrepancies with real dates")
    func writesWorkbook() async throws {
        try await Self.planted.run { world in
            _ = try await world.composition.reconcileJob().run()

            let workbook = try XLSXReader.read(world.reportsDirectory.appendingPathComponent("2026-11-24/reconciliation.xlsx"))
            #expect(workbook.sheetNames == ["Summary", "Discrepancies", "Daily"])
            let summary = try #require(workbook.sheet("Summary"))
            #expect(summary.charts.count == 1)
            #expect(summary.charts.first?.seriesCount == 2)
            #expect(summary.charts.first?.seriesRanges.allSatisfy { $0.contains("Daily") } == true)
            #expect(summary["A7"]?.string == "Local usage" && summary["B7"]?.number == 477)
            let discrepancies = try #require(workbook.sheet("Discrepancies"))
            #expect(discrepancies.lastRow == 9)
            #expect(discrepancies["D2"]?.isDate == true)
            let daily = try #require(workbook.sheet("Daily"))
            #expect(daily["A2"]?.isDate == true)
            #expect(daily.lastRow == 5)
            #expect(!workbook.containsFormula)
        }
    }

    @Test("the alert says how many and how much, tables the largest gaps, escapes hostile names and attaches the CSV")
    func emailsAlert() async throws {
        try await Self.planted.run { world in
            _ = try await world.composition.reconcileJob().run()

            let emails = try world.outbox()
            let email = try #require(emails.first)
            #expect(emails.count == 1)
            #expect(email.defects.isEmpty)
            #expect(email.header("Subject")?.hasPrefix("Tally: usage 2026-11-") == true)
            #expect(email.header("Subject")?.contains("new problems") == true)
            #expect(email.header("To")?.contains("ops@example.com") == true)
            #expect(email.header("Bcc") == nil)
            let html = try #require(email.html)
            #expect(html.contains("&lt;b&gt;Evil &amp; Co&lt;/b&gt;"))
            #expect(!html.contains("<b>Evil"))
            #expect(html.contains(">Beta (\(world.customerIDs[1]))</a>"))
            let text = try #require(email.text)
            #expect(text.contains("tally-retry can repair: ") && text.contains(", 250 tokens"))
            #expect(text.contains("(82.8 % of usage"))
            #expect(text.contains("Needs a person"))
            #expect(text.contains("<b>Evil & Co</b>  Bcc: victim@example.com (\(world.customerIDs[2]))"))
            #expect(!text.contains("\nBcc:"))
            let attachment = try #require(email.attachments.first)
            #expect(attachment.filename == "reconciliation.csv")
            let csv = String(decoding: Data(base64Encoded: attachment.content) ?? Data(), as: UTF8.self)
            #expect(csv.contains("extra_in_stripe"))
        }
    }

    @Test("a second run that finds the same problems sends no second email; the ledger holds what was announced")
    func secondRunSendsNothingNew() async throws {
        try await Self.planted.run { world in
            // Given a first run that alerted
            _ = try await world.composition.reconcileJob().run()
            #expect(try world.outbox().count == 1)
            let announced = try await world.store.announcedProblems()
            #expect(!announced.isEmpty)

            // When the same problems are found again the same night
            let report = try await world.composition.reconcileJob().run()

            // Then it still needs a human, but no second table is sent
            #expect(report.needsHuman)
            #expect(try world.outbox().count == 1)
            #expect(try await world.store.announcedProblems() == announced)
        }
    }

    @Test("a dry run stores the run and writes the reports but sends no email")
    func dryRunSendsNothing() async throws {
        try await Self.planted.run(dryRun: true) { world in
            let report = try await world.composition.reconcileJob().run()
            #expect(report.needsHuman)
            #expect(try world.outbox().isEmpty)
            #expect(FileManager.default.fileExists(atPath: world.reportsDirectory.appendingPathComponent("2026-11-24/reconciliation.xlsx").path))
            #expect(try await world.store.reconciliationRuns(jobRunID: world.composition.jobRun.runID).count == 1)
        }
    }

    @Test("with SMTP_URL set the alert goes through the SMTP server, not the outbox")
    func sendsThroughSMTP() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        var scenario = Self.planted
        scenario.environment["SMTP_URL"] = server.url
        try await scenario.run { world in
            _ = try await world.composition.reconcileJob().run()

            let received = try server.receivedMessages()
            #expect(received.count == 1)
            let email = try ParsedEmail.parse(try #require(received.first))
            #expect(email.header("Subject")?.hasPrefix("Tally: usage ") == true)
            #expect(email.attachments.first?.filename == "reconciliation.csv")
            #expect(try world.outbox().isEmpty)
        }
    }
}
