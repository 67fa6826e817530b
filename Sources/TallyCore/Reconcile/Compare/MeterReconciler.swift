import Foundation
import Logging

/// Reconciles one meter over the judged range: every customer with local usage or a metered subscription
/// item on the meter, day by day, drilling into each discrepant customer-day.
public struct MeterReconciler: Sendable {
    public var stripe: any StripeAPI
    public var usage: any UsageSource
    public var meter: Meter
    public var aggregation: MeterAggregation
    public var range: ReconcileRange
    public var now: Date
    public var logger: Logger
    public var interrupt: InterruptFlag
    public var drillDownBudget: Int
    /// Customers compared at once.
    public var concurrency: Int
    /// Stripe's day values fetched ahead while the subscriptions were listed, if the job did.
    var prefetch: StripeDayPrefetch?

    public init(stripe: any StripeAPI, usage: any UsageSource, meter: Meter, aggregation: MeterAggregation, range: ReconcileRange,
                now: Date, logger: Logger, interrupt: InterruptFlag, drillDownBudget: Int = DrillDown.defaultCallBudget,
                concurrency: Int = 8) {
        self.prefetch = nil
        self.stripe = stripe
        self.usage = usage
        self.meter = meter
        self.aggregation = aggregation
        self.range = range
        self.now = now
        self.logger = logger
        self.interrupt = interrupt
        self.drillDownBudget = drillDownBudget
        self.concurrency = max(1, concurrency)
    }

    /// Compares `localDays` (this meter's share of the local aggregate; days of teams without a customer
    /// included) and the Stripe customers in `subscribedCustomers`; `knownCustomers` are those the app
    /// has ever recorded usage for. Customers are compared in `listingOrder` first (the order their Stripe
    /// values are fetched ahead in), then the others; the result lists them by id either way.
    public func run(localDays: [DailyUsage], subscribedCustomers: Set<String>, knownCustomers: Set<String>,
                    badRows: BadUsageRows, listingOrder: [String] = []) async throws -> MeterReconciliation {
        var result = MeterReconciliation(meterID: meter.id, eventName: meter.eventName, formula: aggregation.formula,
                                         start: range.start, end: range.end, badRows: badRows)
        result.displayName = meter.displayName
        var dailyLocal: [Date: Int64] = [:]
        var dailyStripe: [Date: Int64] = [:]
        let classifier = GapClassifier(meterID: meter.id, aggregation: aggregation, now: now)

        var local: [String: [Date: DailyUsage]] = [:]
        var teams: [String: String] = [:]
        var teamsWithoutCustomer = Set<String>()
        for day in localDays {
            guard let customer = day.stripeCustomerID else {
                // A team with usage and no Stripe customer: nothing to compare, all of it unbilled.
                let value = aggregation.value(of: day)
                dailyLocal[day.day, default: 0] += value
                result.localTotal = try Self.adding(result.localTotal, value)
                teamsWithoutCustomer.insert(day.teamID)
                let segment = range.segment(of: day.day)
                let (repair, action) = classifier.decide(.missingCustomer, start: segment.start, rows: [])
                result.discrepancies.append(Discrepancy(
                    kind: .missingCustomer, meterID: meter.id, customerID: nil, teamID: day.teamID,
                    windowStart: segment.start, windowEnd: segment.end, localValue: value, stripeValue: 0,
                    difference: value, repair: repair, suggestedAction: action))
                continue
            }
            teams[customer] = teams[customer] ?? day.teamID
            local[customer, default: [:]][day.day] = try Self.merge(local[customer]?[day.day], day)
        }

        let everyone = Set(local.keys).union(subscribedCustomers)
        var listed = Set<String>()
        let first = listingOrder.filter { everyone.contains($0) && listed.insert($0).inserted }
        let customers = range.isEmpty ? [] : first + everyone.subtracting(listed).sorted()
        result.customers = customers.count + teamsWithoutCustomer.count
        let localByCustomer = local
        let teamByCustomer = teams
        let underComparison = MeterUnderComparison(stripe: stripe, usage: usage, meterID: meter.id, aggregation: aggregation,
                                                   range: range, now: now, drillDownBudget: drillDownBudget, prefetch: prefetch)
        let judged = try await compareAll(customers) { customer in
            try await CustomerComparison.compareDays(
                customer: customer, teamID: teamByCustomer[customer], local: localByCustomer[customer] ?? [:],
                isUnknown: localByCustomer[customer] == nil && !knownCustomers.contains(customer), on: underComparison)
        }
        let compared = try await pinAll(judged, local: localByCustomer, on: underComparison)
        for (customer, comparison) in compared.sorted(by: { $0.0 < $1.0 }) {
            switch comparison {
            case .success(let comparison):
                result.windows += comparison.windows
                result.discrepancies += comparison.discrepancies
                for window in comparison.dayWindows {
                    let day = JobTimeRange.startOfUTCDay(window.start)
                    dailyLocal[day, default: 0] += window.localValue
                    dailyStripe[day, default: 0] += window.stripeValue
                    result.localTotal = try Self.adding(result.localTotal, window.localValue)
                    result.stripeTotal = try Self.adding(result.stripeTotal, window.stripeValue)
                }
            case .failure(let error):
                // One customer's failure is reported; the others are still compared.
                logger.error("could not reconcile customer", metadata: [
                    "meter": "\(meter.id)", "customer": "\(customer)", "error": "\(error)"])
                result.failedCustomers.append(customer)
            }
        }
        result.daily = range.days.map { DailyComparison(day: $0, local: dailyLocal[$0] ?? 0, stripe: dailyStripe[$0] ?? 0) }
        return result
    }

    /// Rows read in one pass for pinning gaps, about: bounds the memory the rows of a very bad night take.
    static let rowsPerRead: Int64 = 100_000

    /// Pins the pending days of every judged customer. Their rows are read in few passes over the app's
    /// table (customers grouped up to `rowsPerRead` rows), the next group's read running while the current
    /// group drills into Stripe.
    func pinAll(_ judged: [(String, Result<CustomerComparison, any Error>)], local: [String: [Date: DailyUsage]],
                on meter: MeterUnderComparison) async throws -> [(String, Result<CustomerComparison, any Error>)] {
        var comparisons: [String: CustomerComparison] = [:]
        var groups: [[String]] = []
        var rowsInGroup: Int64 = 0
        for (customer, result) in judged {
            guard case .success(let comparison) = result, !comparison.pending.isEmpty else { continue }
            comparisons[customer] = comparison
            let rows = max(1, local[customer]?.values.reduce(0) { $0 + $1.rows } ?? 0)
            if groups.isEmpty || rowsInGroup + rows > Self.rowsPerRead {
                groups.append([])
                rowsInGroup = 0
            }
            groups[groups.count - 1].append(customer)
            rowsInGroup += rows
        }
        guard !groups.isEmpty else { return judged }
        let usage = usage
        let toPin = comparisons
        func read(_ group: [String]) -> Task<[String: [UsageRow]], any Error> {
            let days = group.flatMap { toPin[$0]?.pending ?? [] }
            let start = days.map(\.start).min()!, end = days.map(\.end).max()!
            return Task {
                Dictionary(grouping: try await usage.usageRows(from: start, to: end, customers: group)) { $0.stripeCustomerID ?? "" }
            }
        }
        var pinned: [String: Result<CustomerComparison, any Error>] = [:]
        var next = read(groups[0])
        defer { next.cancel() }
        for (index, group) in groups.enumerated() {
            let rows = try await next.value
            if index + 1 < groups.count { next = read(groups[index + 1]) }
            for (customer, result) in try await compareAll(group, { customer in
                var comparison = toPin[customer]!
                try await comparison.pin(rows: rows[customer] ?? [], on: meter)
                return comparison
            }) {
                pinned[customer] = result
            }
        }
        return judged.map { customer, result in (customer, pinned[customer] ?? result) }
    }

    /// Compares customers `concurrency` at a time (the client's rate limit still applies), checking for
    /// an interrupt before each; results come back in `customers`' order. Errors that end the run are
    /// thrown, the others returned per customer.
    func compareAll(_ customers: [String],
                    _ compare: @escaping @Sendable (String) async throws -> CustomerComparison) async throws
        -> [(String, Result<CustomerComparison, any Error>)] {
        try await withThrowingTaskGroup(of: (Int, Result<CustomerComparison, any Error>).self) { group in
            var results = [Result<CustomerComparison, any Error>?](repeating: nil, count: customers.count)
            var next = 0
            func startNext() throws {
                guard next < customers.count else { return }
                try interrupt.check()
                let index = next
                let customer = customers[index]
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await compare(customer)))
                    } catch where !Self.stopsTheRun(error) {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<concurrency { try startNext() }
            while let (index, result) = try await group.next() {
                results[index] = result
                try startNext()
            }
            return zip(customers, results).map { ($0, $1!) }
        }
    }

    /// Totals are added with an overflow check: a total too large for 64 bits stops the run as bad data,
    /// never wraps and never traps.
    static func adding(_ total: Int64, _ value: Int64) throws -> Int64 {
        let (sum, overflow) = total.addingReportingOverflow(value)
        guard !overflow else {
            throw ReconcileInputError(message: "the usage total of the range does not fit in 64 bits: find the rows with huge tokens in token_usage (the report's bad rows) and fix them")
        }
        return sum
    }

    /// Two teams billed to one customer on one day count together.
    static func merge(_ existing: DailyUsage?, _ day: DailyUsage) throws -> DailyUsage {
        guard var merged = existing else { return day }
        merged.tokens = try adding(merged.tokens, day.tokens)
        merged.rows += day.rows
        merged.reportedTokens = try adding(merged.reportedTokens, day.reportedTokens)
        // The teams' hours may overlap: unknown, so the day is judged from its rows if it looks discrepant.
        merged.activeHours = nil
        if day.lastEventAt > merged.lastEventAt {
            merged.lastEventAt = day.lastEventAt
            merged.lastTokens = day.lastTokens
        }
        return merged
    }

    /// Interruption, an open circuit, rate limits and timeouts end the run; anything else is one customer's.
    static func stopsTheRun(_ error: any Error) -> Bool {
        if error is JobInterrupted || error is CancellationError { return true }
        switch error.tallyExitStatus {
        case .unavailable, .temporaryFailure, .configuration: return true
        default: return false
        }
    }
}
