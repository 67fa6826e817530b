import Foundation
import Logging
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The billing events through the real `tally-events` executable, as cron runs it: the simulator on
/// loopback raises a failed payment and a meter error report; the job acts on both and says so.
@Suite("tally-events acting on billing events, as a process")
struct BillingEventsJobTests {
    static let key = "sk_test_tally"

    @Test("a failed payment suspends the team and emails its owner once; a meter error report emails ALERT_EMAIL and needs a human once")
    func failedPaymentAndMeterErrors() async throws {
        let executable = try JobProcess.builtExecutable("tally-events")
        // Stripe's objects are made two days before now: the job reads the wall clock.
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(
            apiKeys: [Self.key], startTime: Date().addingTimeInterval(-2 * 86_400)))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-billing-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            // Given a team on a daily plan whose payments fail, with an owner and a usage row Stripe will reject
            let customer = simulator.state.createCustomer(email: "billing@acme.test", name: "Acme Inc",
                                                          metadata: ["sandbox_payment": "fail"])
            let product = simulator.state.createProduct(name: "Pro")
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let seats = try simulator.state.createPrice(product: product.id, unitAmount: 2_000, interval: "day")
            _ = try simulator.state.createSubscription(customer: customer.id, items: [(seats.id, 1)])
            let database = directory.appendingPathComponent("app.sqlite").path
            try await SampleAppDatabase.create(at: .sqlite(.file(path: database)), app: SampleApp(
                teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)],
                users: [SampleUser(id: 1, name: "Ann", email: "ann@acme.test")],
                members: [SampleMember(userID: 1, teamID: 1, role: "owner")],
                usage: [SampleUsage(teamID: 1, userID: 1, tokens: 40, createdAt: Date().addingTimeInterval(-86_400))]))
            // …its first day billed, and the payment declined
            simulator.clock.advance(by: 86_400 + 60)
            // …and Stripe reporting, after accepting it, that the row's meter event named no known customer
            _ = simulator.state.reportMeterErrors(meter: meter.id, errors: [
                SimulatedV2Event.MeterError(code: "meter_event_customer_not_found", count: 1, sampleIdentifiers: ["tu_1"]),
            ])
            let reports = directory.appendingPathComponent("reports")
            let environment = [
                "STRIPE_SECRET_KEY": Self.key, "STRIPE_API_BASE": simulator.baseURL, "DATABASE_URL": "sqlite:\(database)",
                "REPORTS_DIR": reports.path, "HOME": directory.path, "ALERT_EMAIL": "ops@acme.test",
                "MAIL_FROM": "Tally <tally@acme.test>",
            ]

            // When tally-events runs, then runs again
            let first = try await JobProcess.run(executable, environment: environment, currentDirectory: directory)
            let afterFirst = try Self.emails(in: reports)
            let second = try await JobProcess.run(executable, environment: environment, currentDirectory: directory)

            // Then the first run needs a human (the meter error report) and says what it did
            #expect(first.exitCode == 1, "stderr: \(first.stderr)")
            let store = try await openStore(StoreConfiguration(location: .sqlite(.file(path: database))),
                                            logger: Logger(label: "tally.billing-events-job-test"))
            let runs = try await store.recentRuns(job: "events", limit: 5)
            let access = try await store.teamAccess(teamID: "1")
            try await store.close()
            let summary = runs.last?.outcome?.summary ?? ""
            #expect(summary.contains("billing emails sent"), "\(summary)")
            #expect(summary.contains("Stripe reported 1 meter error report (1 usage rows matched"), "\(summary)")
            // And the team is suspended until it pays
            #expect(access?.subscriptionStatus == "past_due")
            // And the owner got one dunning email, ALERT_EMAIL one about the rejected meter event
            let dunning = afterFirst.filter { $0.header("Subject")?.hasPrefix("Payment failed") == true }
            #expect(dunning.count == 1)
            #expect(dunning.first?.header("To") == "ann@acme.test")
            let meterErrors = afterFirst.filter { $0.header("To") == "ops@acme.test" }
            #expect(meterErrors.count == 1)
            #expect(meterErrors.first?.text?.contains("meter_event_customer_not_found") == true)
            // And the second run sends nothing again and needs no human
            #expect(second.exitCode == 0, "stderr: \(second.stderr)")
            #expect(try Self.emails(in: reports).count == afterFirst.count)
            #expect(!(first.stdout + first.stderr + second.stdout + second.stderr).contains(Self.key))
        } catch {
            try await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    /// The outbox's emails, parsed.
    static func emails(in reports: URL) throws -> [ParsedEmail] {
        let outbox = reports.appendingPathComponent("outbox")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
        return try names.sorted().map { try ParsedEmail.parse(Data(contentsOf: outbox.appendingPathComponent($0))) }
    }
}
