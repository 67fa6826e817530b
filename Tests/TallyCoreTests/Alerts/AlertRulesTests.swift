import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

@Suite("Usage alert rules: levels, plans, projection")
struct AlertRulesTests {
    let thresholds = AlertThresholds(ratios: [0.5, 0.8, 0.95, 1.0], warning: 0.8, hardLimit: 1.0)

    @Test("each default threshold has the plan's level and channels")
    func levels() {
        #expect(thresholds.ratios.map(thresholds.level(of:)) == [.info, .warning, .urgent, .limit])
        #expect(UsageLevel.info.channels == [.inApp])
        #expect(UsageLevel.warning.channels == [.email, .inApp])
        #expect(UsageLevel.urgent.channels == [.email, .inApp])
        #expect(UsageLevel.limit.channels == [.email, .inApp, .ops])
    }

    @Test("a ratio crosses every threshold at or below it; the hard limit is always a threshold")
    func crossing() {
        #expect(thresholds.crossed(by: 0.49).isEmpty)
        #expect(thresholds.crossed(by: 0.8) == [0.5, 0.8])
        #expect(thresholds.crossed(by: 3.0) == [0.5, 0.8, 0.95, 1.0])
        #expect(AlertThresholds(ratios: [0.5], warning: 0.8, hardLimit: 1.2).ratios == [0.5, 1.2])
    }

    @Test("the percent a notice shows is rounded down to one decimal, as printf would print it")
    func percentShown() {
        let period = TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)
        let shown = { (used: Int64, allowance: Int64) in
            UsageNotice(teamID: "1", teamName: "Acme", threshold: 0.8, level: .warning, used: used, allowance: allowance,
                        period: period, projectedLimitAt: nil).templateValues["percent"]
        }
        #expect(shown(879, 1_000) == "87.9")
        #expect(shown(8_799, 10_000) == "87.9")
        #expect(shown(9_996, 10_000) == "99.9")
        #expect(shown(1_000, 1_000) == "100.0")
        #expect(shown(0, 1_000) == "0.0")
        #expect(shown(7, 0) == "0.0")
        #expect(shown(123_456_789_012, 3) == String(format: "%.1f", (123_456_789_012.0 / 3 * 1_000).rounded(.down) / 10))
        #expect(shown(Int64.max, 1) == String(format: "%.1f", (Double(Int64.max) * 1_000).rounded(.down) / 10))
        for used in stride(from: Int64(0), through: 3_000, by: 7) {
            #expect(shown(used, 2_999) == String(format: "%.1f", (Double(used) / 2_999 * 1_000).rounded(.down) / 10))
        }
        let values = UsageNotice(teamID: "1", teamName: "Acme", threshold: 0.8, level: .warning, used: 1, allowance: 2,
                                 period: period, projectedLimitAt: nil).templateValues
        #expect(values["period_start"] == AlertsScenario.periodStart.formatted(
            Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()))
    }

    @Test("the projection is linear from the period's usage so far")
    func projection() {
        let start = AlertsScenario.periodStart
        let end = AlertsScenario.periodEnd
        let tenDaysIn = start.addingTimeInterval(10 * 86_400)
        // 500 tokens in 10 days: 50 a day, so the other 500 take 10 more days.
        let reached = UsageProjection.limitReached(used: 500, allowance: 1_000, periodStart: start, periodEnd: end, now: tenDaysIn)
        #expect(reached == start.addingTimeInterval(20 * 86_400))
        #expect(reached.map(UsageProjection.dayOfMonth) == "the 21st")
        // 100 in 10 days reaches 1,000 after the period ends: no warning of a crossing that will not come.
        #expect(UsageProjection.limitReached(used: 100, allowance: 1_000, periodStart: start, periodEnd: end, now: tenDaysIn) == nil)
        #expect(UsageProjection.limitReached(used: 1_000, allowance: 1_000, periodStart: start, periodEnd: end, now: tenDaysIn) == nil)
        #expect(UsageProjection.limitReached(used: 0, allowance: 1_000, periodStart: start, periodEnd: end, now: tenDaysIn) == nil)
    }

    @Test("days of the month read as English ordinals")
    func ordinals() {
        let days = [1, 2, 3, 4, 11, 12, 13, 19, 21, 22, 23, 31].map {
            UsageProjection.dayOfMonth(AlertsScenario.periodStart.addingTimeInterval(Double($0 - 1) * 86_400))
        }
        #expect(days == ["the 1st", "the 2nd", "the 3rd", "the 4th", "the 11th", "the 12th", "the 13th", "the 19th",
                         "the 21st", "the 22nd", "the 23rd", "the 31st"])
    }

    @Test("the email says when the team reaches its limit at the current pace")
    func projectionInEmail() throws {
        let notice = UsageNotice(teamID: "1", teamName: "Acme", threshold: 0.8, level: .warning, used: 800, allowance: 1_000,
                                 period: TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd),
                                 projectedLimitAt: AlertsScenario.periodStart.addingTimeInterval(18 * 86_400))
        let text = try AlertTemplateSet().text.render(notice.templateValues)
        #expect(text.contains("At this pace you reach 100 % on the 19th (2026-01-19)."))
    }

    func item(_ id: String, product: String?, price: String?, quantity: Int64? = 1, metered: Bool = false,
              customer: String = "cus_1", start: Date = AlertsScenario.periodStart, end: Date = AlertsScenario.periodEnd) -> SubscriptionItemRecord {
        SubscriptionItemRecord(stripeSubscriptionItemID: id, subscriptionID: "sub_1", customerID: customer, productID: product,
                               priceID: price, quantity: quantity, isMetered: metered, currentPeriodStart: start, currentPeriodEnd: end)
    }

    @Test("a team on a multi-item subscription sums its items; seats multiply; a price mapping beats its product's")
    func multiItemAllowance() {
        let resolver = TeamAllowanceResolver(catalog: PlanCatalog([
            "prod_pro": PlanAllowance(tokens: 1_000, features: ["basic"]), "price_pro_annual": PlanAllowance(tokens: 15_000),
            "prod_addon": PlanAllowance(tokens: 500, features: ["exports"]),
        ]))
        let items = [item("si_1", product: "prod_pro", price: "price_pro_annual"),
                     item("si_2", product: "prod_addon", price: "price_addon", quantity: 3),
                     item("si_3", product: "prod_tokens", price: "price_metered", quantity: nil, metered: true),
                     item("si_4", product: "prod_pro", price: "price_x", customer: "cus_other")]
        let now = AlertsScenario.periodStart.addingTimeInterval(86_400)
        #expect(resolver.allowance(teamID: "7", customer: "cus_1", items: items, now: now)
            == .allowed(tokens: 16_500, features: ["exports"],
                        period: TeamBillingPeriod(teamID: "7", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)))
    }

    @Test("a seat fee and a metered price of one mapped product give the product's allowance once")
    func seatAndMeteredPriceOfOneProduct() {
        let resolver = TeamAllowanceResolver(catalog: PlanCatalog(["prod_pro": PlanAllowance(tokens: 60_000)]))
        let items = [item("si_seat", product: "prod_pro", price: "price_seat", quantity: 2),
                     item("si_usage", product: "prod_pro", price: "price_tokens", quantity: nil, metered: true)]
        let now = AlertsScenario.periodStart.addingTimeInterval(86_400)
        #expect(resolver.allowance(teamID: "1", customer: "cus_1", items: items, now: now)
            == .allowed(tokens: 120_000, features: [],
                        period: TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)))
    }

    @Test("no customer, no current item, or nothing mapped is a reason, not a guess; metadata is the fallback")
    func skippedAllowance() {
        let now = AlertsScenario.periodStart.addingTimeInterval(86_400)
        let resolver = TeamAllowanceResolver(catalog: PlanCatalog())
        let legacy = [item("si_1", product: "prod_legacy", price: "price_legacy")]
        #expect(resolver.allowance(teamID: "1", customer: nil, items: legacy, now: now) == .skipped(reason: .noStripeCustomer))
        #expect(resolver.allowance(teamID: "1", customer: "cus_1", items: legacy, now: AlertsScenario.periodEnd)
            == .skipped(reason: .noActiveSubscription))
        #expect(resolver.allowance(teamID: "1", customer: "cus_1", items: legacy, now: now)
            == .skipped(reason: .unmappedPlan(ids: ["price_legacy"])))
        #expect(resolver.unmappedProducts(in: legacy) == ["prod_legacy"])
        let withMetadata = TeamAllowanceResolver(catalog: PlanCatalog(), productMetadata: ["prod_legacy": ["tokens": "2500"]])
        if case .allowed(let tokens, _, _) = withMetadata.allowance(teamID: "1", customer: "cus_1", items: legacy, now: now) {
            #expect(tokens == 2_500)
        } else {
            Issue.record("metadata tokens should map the plan")
        }
    }

    @Test("the plan mapping reads nested PLANS keys from the config file")
    func plansFromConfigFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-plans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tally.yaml")
        try Data("""
            PLANS:
              prod_pro:
                tokens: 100000
                features: [basic, exports]
              price_team: { tokens: 5000 }
            """.utf8).write(to: file)
        let env = directory.appendingPathComponent("tally.env")
        try Data("\n".utf8).write(to: env)
        let configuration = try await ConfigurationLoader.load(ConfigurationSources(
            configFile: file.path, environmentFile: env.path, environment: ["STRIPE_SECRET_KEY": "sk_test_x"]))
        #expect(configuration.plans.allowance(for: "prod_pro") == PlanAllowance(tokens: 100_000, features: ["basic", "exports"]))
        #expect(configuration.plans.allowance(for: "price_team") == PlanAllowance(tokens: 5_000))
        #expect(configuration.plans.allowance(for: "prod_unknown") == nil)

        // Resolved once for the ids a run's items name, it maps them as the configuration does
        let resolved = configuration.plans.resolving(["prod_pro", "price_team", "prod_unknown"])
        #expect(resolved.allowance(for: "prod_pro") == PlanAllowance(tokens: 100_000, features: ["basic", "exports"]))
        #expect(resolved.allowance(for: "price_team") == PlanAllowance(tokens: 5_000))
        #expect(resolved.allowance(for: "prod_unknown") == nil)
    }
}
