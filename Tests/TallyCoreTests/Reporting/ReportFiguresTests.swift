import Foundation
import Testing
@testable import TallyCore

@Suite("Report figures, against hand-computed expectations")
struct ReportFiguresTests {
    @Test("sums each currency apart: invoiced, collected, outstanding, voided, failed, usage revenue")
    func currencyFigures() {
        // Given October's invoices in USD and JPY
        let figures = CurrencyFigures.figures(in: HandDataset.data())

        // Then each currency has its own totals, in its own minor unit
        #expect(figures.map(\.currency) == ["jpy", "usd"])
        let usd = figures[1]
        #expect(usd.invoiced == 7_000)  // Acme's October invoice; the voided one was never finalized in the period
        #expect(usd.collected == 13_500)  // $70.00 paid Oct 1 + September's $65.00 paid late on Oct 2
        #expect(usd.outstanding == 0)
        #expect(usd.voidedOrCredited == 1_000)
        #expect(usd.failedPayments == 0)
        #expect(usd.usageRevenue == 1_000)
        let jpy = figures[0]
        #expect(jpy.invoiced == 3_700)
        #expect(jpy.collected == 0)
        #expect(jpy.outstanding == 3_700)
        #expect(jpy.failedPayments == 1)
        #expect(jpy.failedAmount == 3_700)
        #expect(jpy.usageRevenue == 700)
    }

    @Test("MRR per currency at the period's end, and its change since the start")
    func recurringRevenue() {
        let figures = CurrencyFigures.figures(in: HandDataset.data())
        let usd = figures.first { $0.currency == "usd" }!
        let jpy = figures.first { $0.currency == "jpy" }!
        // Acme 3 x $20.00; the yearly $120.00 (= $10.00 a month) churned on Oct 20
        #expect(usd.recurringRevenue == 6_000)
        #expect(usd.previousRecurringRevenue == 7_000)
        #expect(usd.recurringRevenueChange == -1_000)
        // Yamada KK started Oct 10
        #expect(jpy.recurringRevenue == 3_000)
        #expect(jpy.recurringRevenueChange == 3_000)
    }

    @Test("subscriptions started, changed (a seat added, not a renewal) and cancelled")
    func subscriptionChanges() {
        let changes = SubscriptionChange.changes(in: HandDataset.data())
        #expect(changes.map(\.kind) == [.started, .changed, .cancelled])
        #expect(changes.map(\.subscriptionID) == ["sub_yama", "sub_acme", "sub_evil"])
        #expect(changes[0].monthlyAmounts == ["jpy": 3_000])
    }

    @Test("invoice vs usage: each metered line's quantity against local usage over its period")
    func invoiceUsage() {
        let checks = InvoiceUsageCheck.checks(in: HandDataset.data())
        #expect(checks.map(\.lineID) == ["il_a2", "il_y2"])
        #expect(checks.map(\.difference) == [0, -50])
        #expect(checks.map(\.status) == [.match, .underBilled])
    }

    @Test("failed payments carry their dunning state and last failure")
    func failedPayments() {
        let failures = FailedPayment.all(in: HandDataset.data())
        #expect(failures.map(\.invoice.id) == ["in_yama_oct"])
        #expect(failures[0].dunningState(asOf: HandDataset.afterOctober) == "retrying")
        #expect(failures[0].dunningState(asOf: utc("2026-11-04T00:00:00Z")) == "retry overdue")
        #expect(failures[0].lastFailedAt == utc("2026-10-31T00:05:00Z"))
        #expect(failures[0].invoice.nextPaymentAttempt == utc("2026-11-03T00:00:00Z"))
    }

    @Test("a complete month: cost to date is the projection, trend against all of September")
    func completeMonthCost() {
        let costs = TeamCost.costs(in: HandDataset.data())
        #expect(costs.map(\.teamID) == ["1", "2", "3"])
        let acme = costs[0]
        #expect(acme.tokens == 500)
        #expect(acme.costToDate == 1_000)  // 500 tokens x 2 cents
        #expect(acme.elapsedDays == 31)
        #expect(acme.projectedCost == 1_000)
        #expect(acme.previousCost == 800)  // September's 400 tokens
        #expect(acme.trend == Decimal(string: "0.25"))
        #expect(costs[1].costToDate == 750)  // yen
        #expect(costs[1].unitPrice?.currency == "jpy")
        #expect(costs[1].trend == nil)  // no usage last month
        #expect(costs[2].costToDate == nil)  // no metered price
    }

    @Test("a month in progress: projected from the days elapsed, trend against last month's same days")
    func monthInProgress() throws {
        // Given November, 9.5 days in (10 days counted), Acme used 1,000 tokens; October's first 10 days had 300
        let november = try ReportPeriod.month("2026-11")
        let data = HandDataset.data(now: utc("2026-11-10T12:00:00Z"), period: november)
        let acme = try #require(TeamCost.costs(in: data).first { $0.teamID == "1" })
        #expect(acme.elapsedDays == 10)
        #expect(acme.costToDate == 2_000)
        #expect(acme.projectedCost == 6_000)  // $20.00 / 10 days x 30 days
        #expect(acme.previousCost == 600)
        #expect(acme.trend == Decimal(string: "2.3333"))
    }

    @Test("API health: calls, failures, rate limits, nearest-rank p50/p95, failed meter events")
    func apiHealth() {
        let health = APIHealth.compute(from: HandDataset.apiCalls)
        #expect(health.endpoints.map(\.endpoint) == [
            "GET /v1/invoices", "GET /v1/invoices/{id}/lines", "POST /v1/billing/meter_events",
        ])
        let meterEvents = health.endpoints[2]
        #expect(meterEvents.calls == 4)
        #expect(meterEvents.failures == 3)
        #expect(meterEvents.rateLimited == 1)
        #expect(meterEvents.p50Milliseconds == 50)
        #expect(meterEvents.p95Milliseconds == 1_000)
        #expect(health.overall.calls == 8)
        #expect(health.overall.p50Milliseconds == 30)
        #expect(health.failedMeterEventCalls == 3)
    }

    @Test("periods: --month parsing, the last complete month, elapsed days")
    func periods() throws {
        let october = try ReportPeriod.month("2026-10")
        #expect(october.start == utc("2026-10-01T00:00:00Z"))
        #expect(october.end == utc("2026-11-01T00:00:00Z"))
        #expect(october.days == 31)
        #expect(ReportPeriod.lastCompleteMonth(before: utc("2026-01-15T10:00:00Z")).start == utc("2025-12-01T00:00:00Z"))
        #expect(october.previousMonth.start == utc("2026-09-01T00:00:00Z"))
        #expect(throws: UsageError.self) { try ReportPeriod.month("2026-13") }
        #expect(throws: UsageError.self) { try ReportPeriod.month("October") }
        let history = ReportPeriod.recentMonths(12, endingAt: utc("2026-11-25T10:00:00Z"))
        #expect(history.start == utc("2025-12-01T00:00:00Z"))
        #expect(history.end == utc("2026-11-26T00:00:00Z"))
    }

    @Test("recurring amounts are normalised to a month in integers, rounding down")
    func monthlyNormalisation() {
        #expect(MonthlyRecurringRevenue.monthly(12_000, interval: "year", count: 1) == 1_000)
        #expect(MonthlyRecurringRevenue.monthly(1_000, interval: "week", count: 1) == 4_333)  // 1,000 x 52 / 12
        #expect(MonthlyRecurringRevenue.monthly(3_000, interval: "month", count: 3) == 1_000)
        #expect(MonthlyRecurringRevenue.monthly(100, interval: "day", count: 1) == 3_041)  // 100 x 365 / 12
    }

    @Test("a fractional unit price rounds the cost half up to the minor unit, in integers")
    func fractionalPrice() {
        let price = MeteredUnitPrice(priceID: "p", currency: "usd", minorUnitsPerToken: Decimal(string: "0.015")!)
        #expect(price.cost(of: 1_000) == 15)
        #expect(price.cost(of: 100) == 2)  // 1.5 cents
        #expect(price.cost(of: 33) == 0)  // 0.495
    }
}
