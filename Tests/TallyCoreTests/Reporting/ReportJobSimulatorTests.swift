import Foundation
import Logging
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// The whole job against the simulator over loopback HTTP and a SQLite sample app: October 2026 with
/// four customers billed by the simulator on Oct 1 for September, in USD and JPY, one card failing.
///
/// Hand-computed: Acme 3 seats x $20.00 + 500 tokens x 2¢ = $70.00; Globex 1 seat, no usage = $20.00;
/// the hostile team 1 seat + 100 tokens = $22.00; Yamada KK ¥3,000 + 700 tokens x ¥1 = ¥3,700, unpaid
/// (the app recorded 750 tokens: under-billed by 50). USD invoiced and collected $112.00; JPY ¥3,700 open.
@Suite("tally-report's job against the simulator")
struct ReportJobSimulatorTests {
    static let key = "sk_test_report"
    static let september = utc("2026-09-01T00:00:00Z")

    struct World {
        var directory: URL
        var report: JobReport
    }

    /// Seeds the simulator and the app, bills September, and runs the October report.
    static func runOctober(dryRun: Bool = false) async throws -> World {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key], startTime: september))
        try await simulator.start()
        do {
            let world = try await runOctober(simulator: simulator, dryRun: dryRun)
            try await simulator.shutdown()
            return world
        } catch {
            try await simulator.shutdown()
            throw error
        }
    }

    static func runOctober(simulator: StripeSimulator, dryRun: Bool) async throws -> World {
        let state = simulator.state
        let meter = try state.createMeter(displayName: "Tokens", eventName: "tokens")
        let product = state.createProduct(name: "Pro")
        let seatUSD = try state.createPrice(product: product.id, currency: "usd", unitAmount: 2_000)
        let tokenUSD = try state.createPrice(product: product.id, currency: "usd", unitAmount: 2, usageType: .metered, meter: meter.id)
        let seatJPY = try state.createPrice(product: product.id, currency: "jpy", unitAmount: 3_000)
        let tokenJPY = try state.createPrice(product: product.id, currency: "jpy", unitAmount: 1, usageType: .metered, meter: meter.id)
        let acme = state.createCustomer(name: "Acme Analytics")
        let yamada = state.createCustomer(name: "Yamada KK", metadata: ["sandbox_payment": "fail"])
        let hostile = state.createCustomer(name: HandDataset.hostileName)
        let globex = state.createCustomer(name: "Globex")
        try state.createSubscription(customer: acme.id, items: [(seatUSD.id, 3), (tokenUSD.id, nil)])
        try state.createSubscription(customer: yamada.id, items: [(seatJPY.id, 1), (tokenJPY.id, nil)])
        try state.createSubscription(customer: hostile.id, items: [(seatUSD.id, 1), (tokenUSD.id, nil)])
        try state.createSubscription(customer: globex.id, items: [(seatUSD.id, 1), (tokenUSD.id, nil)])
        // What Stripe received in September: Yamada KK's last 50 tokens never arrived.
        let stamp = { (text: String) in Int64(utc(text).timeIntervalSince1970) }
        state.appendMeterEvents([
            SimulatedMeterEvent(identifier: "a1", eventName: "tokens", customer: acme.id, value: 500, timestamp: stamp("2026-09-10T10:00:00Z")),
            SimulatedMeterEvent(identifier: "y1", eventName: "tokens", customer: yamada.id, value: 700, timestamp: stamp("2026-09-12T10:00:00Z")),
            SimulatedMeterEvent(identifier: "h1", eventName: "tokens", customer: hostile.id, value: 100, timestamp: stamp("2026-09-15T10:00:00Z")),
        ])
        // The simulator bills September when its clock passes Oct 1.
        simulator.clock.set(utc("2026-10-01T00:00:01Z"))

        let directory = try makeScratchDirectory()
        let database = DatabaseLocation.sqlite(.file(path: directory.appendingPathComponent("app.sqlite").path))
        let usage = { (team: Int64, day: String, tokens: Int64) in
            SampleUsage(teamID: team, userID: nil, tokens: tokens, createdAt: utc(day + "T10:00:00Z"))
        }
        try await SampleAppDatabase.create(at: database, app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme Analytics", stripeCustomerID: acme.id),
                    SampleTeam(id: 2, name: "Yamada KK", stripeCustomerID: yamada.id),
                    SampleTeam(id: 3, name: HandDataset.hostileName, stripeCustomerID: hostile.id),
                    SampleTeam(id: 4, name: "Globex", stripeCustomerID: globex.id)],
            usage: [usage(1, "2026-09-10", 500), usage(2, "2026-09-12", 750), usage(3, "2026-09-15", 100),
                    usage(1, "2026-10-05", 300), usage(2, "2026-10-06", 40), usage(1, "2026-10-20", 200)]))
        let store = try await openStore(StoreConfiguration(location: database), logger: Logger(label: "test"))
        let clock = ManualClock(now: utc("2026-11-02T08:00:00Z"))
        let stripe = StripeClient(
            configuration: StripeClientConfiguration(apiKey: Secret(key), apiBase: simulator.baseURL, maxRequestsPerSecond: 0),
            transport: CurlTransport(), clock: clock, recorder: store)
        let job = ReportJob(store: store, stripe: stripe, logger: Logger(label: "test"), clock: clock, jobRun: JobRun(runID: 1, dryRun: dryRun),
                            settings: ReportJob.Settings(reportsDirectory: directory.appendingPathComponent("reports")))
        do {
            let report = try await job.monthly(period: try ReportPeriod.month("2026-10"))
            try await store.close()
            return World(directory: directory.appendingPathComponent("reports/2026-10"), report: report)
        } catch {
            try? await store.close()
            throw error
        }
    }

    @Test("figures from the simulator's invoices and the app's usage match the hand computation")
    func figures() async throws {
        let world = try await Self.runOctober()
        let csv = try String(contentsOf: world.directory.appendingPathComponent("finance-summary.csv"), encoding: .utf8)
        let lines = Set(csv.split(separator: "\r\n").map(String.init))
        #expect(lines.isSuperset(of: [
            "Invoiced,USD,112.00", "Collected,USD,112.00", "Outstanding,USD,0.00", "Usage revenue,USD,12.00",
            "Invoiced,JPY,3700", "Outstanding,JPY,3700", "Failed payments (count),JPY,1", "Failed payments (amount),JPY,3700",
            "MRR at period end,USD,100.00", "MRR at period end,JPY,3000", "MRR change,USD,0.00",
            "Metered lines not matching usage,,1",
        ]))
        // One metered line under-billed: a finding for a human (exit 1)
        #expect(world.report.needsHuman)
        let check = try String(contentsOf: world.directory.appendingPathComponent("finance-invoice-vs-usage.csv"), encoding: .utf8)
        #expect(check.contains(",700,750,-50,700,under-billed"))
        #expect(check.components(separatedBy: ",match").count - 1 == 3)  // Acme, Globex (0 = 0), the hostile team
    }

    @Test("the finance workbook reads back: sheets in order, per-currency formats, real dates, charts, no formulas")
    func workbookReadsBack() async throws {
        let world = try await Self.runOctober()
        let workbook = try XLSXReader.read(world.directory.appendingPathComponent("finance.xlsx"))
        #expect(workbook.sheetNames == [
            "Summary", "Daily revenue", "Invoices", "Failed payments", "Subscriptions", "Invoice vs usage",
            "Discrepancies", "API health",
        ])
        #expect(!workbook.containsFormula)
        let summary = try #require(workbook.sheet("Summary"))
        // A revenue chart per currency (JPY and USD never share an axis) and bars per metered invoice line
        #expect(summary.charts.map(\.kind).sorted() == ["bar", "column", "column"])
        #expect(summary.charts.filter { $0.kind == "column" }.map(\.title) == [
            "Daily revenue (invoiced), JPY", "Daily revenue (invoiced), USD",
        ])
        #expect(summary.charts.filter { $0.kind == "column" }.map(\.seriesCount) == [1, 1])
        let invoices = try #require(workbook.sheet("Invoices"))
        #expect(invoices.frozenTopLeftCell == "A2")
        #expect(invoices.autofilterRange != nil)
        // Row order is by creation then id; find the rows by currency
        let rows = (2...invoices.lastRow)
        let jpyRow = try #require(rows.first { invoices["Q\($0)"]?.string == "JPY" })
        let usdRow = try #require(rows.first { invoices["Q\($0)"]?.string == "USD" })
        #expect(invoices["N\(jpyRow)"]?.number == 3_700)
        #expect(invoices["N\(jpyRow)"]?.numberFormat == "\"¥\"#,##0")
        #expect(invoices["N\(usdRow)"]?.numberFormat == "\"$\"#,##0.00")
        let created = try #require(invoices["F\(usdRow)"])
        #expect(created.isDate)
        #expect(created.number == 46_296)  // 2026-10-01 00:00 in Excel's 1900 date system
        // The hostile name is a plain string cell
        let teamNames = rows.compactMap { invoices["D\($0)"]?.string }
        #expect(teamNames.contains(HandDataset.hostileName))
        let usage = try XLSXReader.read(world.directory.appendingPathComponent("usage.xlsx"))
        #expect(usage.sheetNames == ["Daily totals", "Usage by team", "Cost and projection"])
        #expect(usage.charts.count == 1)
        #expect(!usage.containsFormula)
    }

    @Test("writes every CSV beside the workbooks with mode 0640, the hostile name neutralised")
    func filesAndModes() async throws {
        let world = try await Self.runOctober()
        let names = try FileManager.default.contentsOfDirectory(atPath: world.directory.path).sorted()
        #expect(names == [
            "finance-api-health.csv", "finance-daily-revenue.csv", "finance-discrepancies.csv",
            "finance-failed-payments.csv", "finance-invoice-vs-usage.csv", "finance-invoices.csv",
            "finance-subscriptions.csv", "finance-summary.csv", "finance.xlsx", "usage-by-team.csv",
            "usage-cost-projection.csv", "usage-daily-totals.csv", "usage.xlsx",
        ])
        for name in names {
            let attributes = try FileManager.default.attributesOfItem(atPath: world.directory.appendingPathComponent(name).path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640, "\(name)")
        }
        let invoices = try String(contentsOf: world.directory.appendingPathComponent("finance-invoices.csv"), encoding: .utf8)
        #expect(invoices.contains("\"'=HYPERLINK("))
        // and the dashboard beside the months, with the same mode
        let dashboard = world.directory.deletingLastPathComponent().appendingPathComponent("index.html")
        let attributes = try FileManager.default.attributesOfItem(atPath: dashboard.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        let page = try String(contentsOf: dashboard, encoding: .utf8)
        #expect(page.contains("id=\"invoiced-usd\">112.00 USD<"))
        #expect(!page.contains("<script"))
    }

    @Test("--dry-run gathers and computes but writes nothing")
    func dryRun() async throws {
        let world = try await Self.runOctober(dryRun: true)
        #expect(!FileManager.default.fileExists(atPath: world.directory.path))
        #expect(!FileManager.default.fileExists(atPath: world.directory.deletingLastPathComponent().appendingPathComponent("index.html").path))
        #expect(world.report.summary.hasPrefix("would write"))
    }
}
