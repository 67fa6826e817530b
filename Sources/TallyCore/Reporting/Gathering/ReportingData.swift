import Foundation

/// Everything a report is computed from, fetched once: the figures are pure functions of this value.
public struct ReportingData: Sendable {
    /// The range reported on.
    public var period: ReportPeriod
    /// When the data was fetched (projections of a month still running use it).
    public var now: Date
    /// Invoices created in the period and the month before (paid or voided in the period may be older),
    /// each with every line.
    public var invoices: [Invoice]
    /// Invoices still open or uncollectible whenever they were created, for the dunning state.
    public var unpaidInvoices: [Invoice]
    /// Subscriptions of every status, canceled included.
    public var subscriptions: [Subscription]
    /// `customer.subscription.*` and `invoice.payment_failed` events since the period started (Stripe keeps 30 days).
    public var events: [StripeEvent]
    /// Local usage per customer and day in the period.
    public var usage: [DailyUsage]
    /// Local usage per customer and day in the month before the period, for trends.
    public var previousUsage: [DailyUsage]
    /// Local tokens over each metered invoice line's period, by line id.
    public var lineUsage: [String: Int64]
    /// The app's teams.
    public var teams: [TeamRecord]
    /// The latest reconciliation run's discrepancies.
    public var discrepancies: [DiscrepancyRecord]
    /// Stripe calls logged in the period.
    public var apiCalls: [APICallRecord]

    public init(period: ReportPeriod, now: Date, invoices: [Invoice] = [], unpaidInvoices: [Invoice] = [],
                subscriptions: [Subscription] = [], events: [StripeEvent] = [], usage: [DailyUsage] = [],
                previousUsage: [DailyUsage] = [], lineUsage: [String: Int64] = [:], teams: [TeamRecord] = [],
                discrepancies: [DiscrepancyRecord] = [], apiCalls: [APICallRecord] = []) {
        self.period = period
        self.now = now
        self.invoices = invoices
        self.unpaidInvoices = unpaidInvoices
        self.subscriptions = subscriptions
        self.events = events
        self.usage = usage
        self.previousUsage = previousUsage
        self.lineUsage = lineUsage
        self.teams = teams
        self.discrepancies = discrepancies
        self.apiCalls = apiCalls
    }
}

extension ReportingData {
    /// The invoice statuses Stripe has finalized (a number and a fixed total).
    static let finalizedStatuses: Set<String> = ["open", "paid", "uncollectible"]

    /// Invoices created in the period.
    var periodInvoices: [Invoice] { invoices.filter { period.contains($0.created) } }

    /// Finalized invoices created in the period.
    var finalizedInvoices: [Invoice] {
        periodInvoices.filter { Self.finalizedStatuses.contains($0.status ?? "") }
    }

    /// Every price on a subscription item, by id.
    var pricesByID: [String: Price] {
        var prices: [String: Price] = [:]
        for subscription in subscriptions {
            for item in subscription.items?.data ?? [] {
                if let price = item.price { prices[price.id] = price }
            }
        }
        return prices
    }

    /// Whether an invoice line bills usage (its price is metered).
    func isMetered(_ line: InvoiceLineItem) -> Bool {
        guard let price = line.priceID else { return false }
        return pricesByID[price]?.isMetered ?? false
    }

    /// Team name and id per Stripe customer.
    var teamsByCustomer: [String: TeamRecord] {
        var teams: [String: TeamRecord] = [:]
        for team in self.teams {
            if let customer = team.stripeCustomerID { teams[customer] = team }
        }
        return teams
    }

    /// Team name per team id.
    var teamNamesByID: [String: String] {
        Dictionary(teams.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}

extension Invoice {
    /// The invoice's lines (complete after gathering).
    var allLines: [InvoiceLineItem] { lines?.data ?? [] }
}
