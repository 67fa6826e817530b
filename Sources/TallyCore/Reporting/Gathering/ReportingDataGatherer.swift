import Foundation
import Logging

/// Fetches what a report needs from Stripe and the database.
public struct ReportingDataGatherer: Sendable {
    public var stripe: any StripeAPI
    public var store: any ReportJob.Store
    public var logger: Logger

    public init(stripe: any StripeAPI, store: any ReportJob.Store, logger: Logger) {
        self.stripe = stripe
        self.store = store
        self.logger = logger
    }

    /// The event types the report reads: subscription changes and failed payments.
    static let eventTypes = [
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "invoice.payment_failed",
    ]

    /// Gathers everything for `period` as of `now`.
    public func gather(period: ReportPeriod, now: Date) async throws -> ReportingData {
        let previous = period.previousMonth
        // The Stripe lists and the database reads are independent: fetch them concurrently (the client
        // keeps within the rate limit).
        async let created = stripe.invoices(createdFrom: min(previous.start, period.start), createdBefore: period.end)
        async let open = stripe.invoices(status: "open")
        async let uncollectible = stripe.invoices(status: "uncollectible")
        async let subscriptions = stripe.subscriptions(status: "all")
        // Stripe keeps events for 30 days: an older month simply has none, and its changes come from the
        // subscriptions' own dates.
        async let events = stripe.events(types: Self.eventTypes, createdAfter: period.start.addingTimeInterval(-1))
        async let usage = store.dailyUsage(from: period.start, to: period.end, now: now)
        async let previousUsage = store.dailyUsage(from: previous.start, to: previous.end, now: now)
        async let teams = teams()
        async let discrepancies = store.latestDiscrepancies()
        async let calls = store.apiCalls(from: period.start, to: period.end)
        let invoices = try await withCompleteLines(created)
        let unpaid = try await withCompleteLines(open + uncollectible)
        var data = ReportingData(
            period: period, now: now, invoices: invoices, unpaidInvoices: unpaid, subscriptions: try await subscriptions,
            events: try await events, usage: try await usage.days, previousUsage: try await previousUsage.days,
            teams: try await teams, discrepancies: try await discrepancies, apiCalls: try await calls)
        data.lineUsage = try await lineUsage(for: data)
        return data
    }

    /// Reads a team's usage rows for its history export.
    public func teamHistory(teamID: String, period: ReportPeriod, now: Date) async throws -> (TeamRecord?, [DailyUsage], [Subscription]) {
        let team = try await teams().first { $0.id == teamID }
        let usage = try await store.dailyUsage(from: period.start, to: period.end, now: now).days
            .filter { $0.teamID == teamID }
        let customer = team?.stripeCustomerID ?? usage.first?.stripeCustomerID
        var subscriptions: [Subscription] = []
        if let customer { subscriptions = try await stripe.subscriptions(customer: customer, status: "all") }
        return (team, usage, subscriptions)
    }

    /// The app's teams; an app whose schema has no `teams` table still gets its reports, with team ids only.
    private func teams() async throws -> [TeamRecord] {
        do {
            return try await store.teams()
        } catch {
            logger.warning("team names unavailable, reports show team ids only", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Fetches the remaining lines of invoices whose embedded list was cut short (`lines.has_more`).
    private func withCompleteLines(_ invoices: [Invoice]) async throws -> [Invoice] {
        var complete: [Invoice] = []
        for var invoice in invoices {
            if invoice.lines?.hasMore ?? false {
                invoice.lines = StripeList(data: try await stripe.invoiceLines(invoiceID: invoice.id), hasMore: false)
            }
            complete.append(invoice)
        }
        return complete
    }

    /// Local usage over each metered line's own period (periods need not start at midnight): one read of the
    /// rows of `customersPerRead` customers over the span of their metered lines, then each line summed in
    /// memory (one scan of the usage query per customer before).
    private func lineUsage(for data: ReportingData) async throws -> [String: Int64] {
        var linesByCustomer: [String: [(id: String, start: Date, end: Date)]] = [:]
        for invoice in data.finalizedInvoices {
            guard let customer = invoice.customer else { continue }
            for line in invoice.allLines where data.isMetered(line) {
                guard let period = line.period else { continue }
                linesByCustomer[customer, default: []].append((line.id, period.start, period.end))
            }
        }
        var usage: [String: Int64] = [:]
        let customers = linesByCustomer.keys.sorted()
        for first in stride(from: 0, to: customers.count, by: Self.customersPerRead) {
            let group = Array(customers[first..<min(first + Self.customersPerRead, customers.count)])
            let spans = group.flatMap { linesByCustomer[$0] ?? [] }
            guard let start = spans.map(\.start).min(), let end = spans.map(\.end).max() else { continue }
            let rowsByCustomer = Dictionary(grouping: try await store.usageRows(from: start, to: end, customers: group)) {
                $0.stripeCustomerID ?? ""
            }
            for customer in group {
                let rows = rowsByCustomer[customer] ?? []
                for line in linesByCustomer[customer] ?? [] {
                    usage[line.id] = rows.reduce(0) { total, row in
                        row.createdAt >= line.start && row.createdAt < line.end ? total + max(0, row.tokens) : total
                    }
                }
            }
        }
        return usage
    }

    /// Customers whose rows one read brings: few scans of the usage query, and a month of a group's rows in memory.
    static let customersPerRead = 50
}
