import Foundation
import Logging
import TallyCLI
import TallyTestKit
@testable import TallyCore

/// An app database with teams and owners, Tally's store on it, subscription items as `tally-events` would
/// sync them, a manual clock inside a January 2026 billing period, and the outbox as the mailer.
struct AlertsScenario {
    /// 2026-01-01 00:00 UTC to 2026-02-01 00:00 UTC.
    static let periodStart = Date(timeIntervalSince1970: 1_767_225_600)
    static let periodEnd = periodStart.addingTimeInterval(31 * 86_400)
    static let nextPeriodEnd = periodEnd.addingTimeInterval(28 * 86_400)

    let store: any TallyStore
    let location: DatabaseLocation
    let clock: ManualClock
    var configuration: TallyConfiguration
    var stripe: any StripeAPI = ProductCatalogStripe(products: [:])

    /// Teams 1 (Acme, 1,000 tokens on prod_pro), 2 (Globex, no subscription), each with an owner and a member.
    /// `subscriptionsListed`: whether `tally-events` has listed Stripe's subscriptions once (as after its first run).
    /// `moreTeams`: teams 101, 102, … (customer `cus_101`, …), each with its own owner `owner101@teams.test`, ….
    static func run(on backend: StoreBackendUnderTest, teamName: String = "Acme", subscriptionsListed: Bool = true,
                    moreTeams: Int = 0, _ body: (inout AlertsScenario) async throws -> Void) async throws {
        let more = (0..<moreTeams).map { Int64(101 + $0) }
        let app = SampleApp(
            teams: [SampleTeam(id: 1, name: teamName, stripeCustomerID: "cus_acme"),
                    SampleTeam(id: 2, name: "Globex", stripeCustomerID: "cus_globex")]
                + more.map { SampleTeam(id: $0, name: "Team \($0)", stripeCustomerID: "cus_\($0)") },
            users: [SampleUser(id: 1, name: "Ann", email: "ann@acme.test"), SampleUser(id: 2, name: "Bob", email: "bob@acme.test"),
                    SampleUser(id: 3, name: "Gil", email: "gil@globex.test")]
                + more.map { SampleUser(id: $0, name: "Owner \($0)", email: "owner\($0)@teams.test") },
            members: [SampleMember(userID: 1, teamID: 1, role: "owner"), SampleMember(userID: 2, teamID: 1, role: "member"),
                      SampleMember(userID: 3, teamID: 2, role: "owner")]
                + more.map { SampleMember(userID: $0, teamID: $0, role: "owner") })
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("tally-alerts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: reports) }
        let environmentFile = reports.appendingPathExtension("env")
        try Data("# tally-alerts tests\n".utf8).write(to: environmentFile)
        defer { try? FileManager.default.removeItem(at: environmentFile) }
        var configuration = try await ConfigurationLoader.load(ConfigurationSources(
            environmentFile: environmentFile.path,
            environment: ["STRIPE_SECRET_KEY": "sk_test_tally", "ALERT_EMAIL": "ops@tally.test",
                          "MAIL_FROM": "Tally <tally@tally.test>", "REPORTS_DIR": reports.path]))
        configuration.plans = PlanCatalog(["prod_pro": PlanAllowance(tokens: 1_000, features: ["basic"]),
                                           "price_big": PlanAllowance(tokens: 10_000)])
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: app) }) { store, location in
            var scenario = AlertsScenario(store: store, location: location,
                                          clock: ManualClock(now: periodStart.addingTimeInterval(10 * 86_400)),
                                          configuration: configuration)
            if subscriptionsListed {
                let listedAt = periodStart.addingTimeInterval(9 * 86_400)
                try await store.recordSubscriptionListing(SubscriptionListingRecord(
                    listedAt: listedAt, finishedAt: listedAt, reason: .firstRun, subscriptions: 0, items: 0))
            }
            try await body(&scenario)
        }
    }

    /// Puts a customer on a subscription item, as `tally-events` syncs it.
    func subscribe(customer: String = "cus_acme", item: String = "si_acme", product: String = "prod_pro", price: String = "price_pro",
                   quantity: Int = 1, start: Date = periodStart, end: Date = periodEnd) async throws {
        try await SampleAppDatabase.execute([
            "DELETE FROM subscription_items WHERE stripe_subscription_item_id = '\(item)'",
            """
            INSERT INTO subscription_items (subscription_id, stripe_subscription_item_id, product_id, price_id, quantity,
                is_metered, current_period_start, current_period_end, customer_id)
            VALUES ('sub_\(customer)', '\(item)', '\(product)', '\(price)', \(quantity), false,
                    \(Int64(start.timeIntervalSince1970)), \(Int64(end.timeIntervalSince1970)), '\(customer)')
            """,
        ], at: location)
    }

    /// Puts every one of the `moreTeams` on prod_pro (1,000 tokens) for the period, with `tokens` used each.
    func subscribeMoreTeams(using tokens: Int64, count: Int) async throws {
        try await SampleAppDatabase.execute(["""
            INSERT INTO subscription_items (subscription_id, stripe_subscription_item_id, product_id, price_id, quantity,
                is_metered, current_period_start, current_period_end, customer_id)
            SELECT 'sub_' || stripe_customer_id, 'si_' || stripe_customer_id, 'prod_pro', 'price_pro', 1, false,
                   \(Int64(Self.periodStart.timeIntervalSince1970)), \(Int64(Self.periodEnd.timeIntervalSince1970)), stripe_customer_id
            FROM teams WHERE id > 100
            """], at: location)
        let when = clock.now().addingTimeInterval(-60)
        try await SampleAppDatabase.insertUsage(count: count, at: location) { index in
            SampleUsage(teamID: Int64(101 + index), userID: Int64(101 + index), tokens: tokens, createdAt: when)
        }
    }

    /// Records `tokens` of team `team`'s usage at `at` (now by default).
    func use(_ tokens: Int64, team: Int64 = 1, at: Date? = nil) async throws {
        let when = at ?? clock.now()
        try await SampleAppDatabase.insertUsage(count: 1, at: location) { _ in
            SampleUsage(teamID: team, userID: 1, tokens: tokens, createdAt: when)
        }
    }

    var outbox: URL { configuration.output.outboxDirectory }

    /// The emails written to the outbox so far, parsed, oldest first.
    func emails() throws -> [ParsedEmail] {
        guard FileManager.default.fileExists(atPath: outbox.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: [.creationDateKey])
            .filter { $0.pathExtension == "eml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { try ParsedEmail.parse(Data(contentsOf: $0)) }
    }

    /// One `tally-alerts` run.
    func run(dryRun: Bool = false, mailer: (any Mailer)? = nil, http: any HTTPTransport = CurlTransport()) async throws -> UsageAlertsSummary {
        try await composition(dryRun: dryRun, mailer: mailer, http: http).usageAlertsJob().evaluate()
    }

    /// The job's parts as `tally-alerts` builds them.
    func composition(dryRun: Bool = false, mailer: (any Mailer)? = nil, http: any HTTPTransport = CurlTransport()) -> JobComposition {
        JobComposition(configuration: configuration, store: store, stripe: stripe, mailer: mailer, http: http,
                       logger: Logger(label: "tally.alerts-test"), clock: clock, jobRun: JobRun(runID: 1, dryRun: dryRun))
    }

    /// The ledger rows of team 1.
    func ledger(team: String = "1") async throws -> [UsageNotificationRecord] {
        try await store.usageNotifications(periodStartingAtOrAfter: .distantPast).filter { $0.key.teamID == team }
    }

    func cap(team: String = "1") async throws -> UsageCapRecord? {
        try await store.usageCaps().last { $0.teamID == team }
    }
}

/// Stripe's product endpoint for the metadata fallback: answers `GET /v1/products/<id>` (`product(id:)`) for the
/// products it knows, and fails like a missing product otherwise.
struct ProductCatalogStripe: StripeAPI {
    var products: [String: [String: String]]

    func send(_ request: StripeRequest) async throws -> StripeResponse {
        let id = String(request.path.split(separator: "/").last ?? "")
        guard request.path.hasPrefix("/v1/products/"), let metadata = products[id] else {
            throw StripeError(code: .invalidRequest, endpoint: request.endpoint, httpStatus: 404, message: "No such product: '\(id)'")
        }
        let body = try JSONSerialization.data(withJSONObject: ["id": id, "object": "product", "name": id, "metadata": metadata])
        return StripeResponse(status: 200, headers: HTTPHeaderFields(), body: body, endpoint: request.endpoint)
    }
}
