import Foundation
import Logging

/// Reconciles one meter over the judged range: every customer with local usage or a metered subscription
/// item on the meter, day by day, drilling into each discrepant customer-day.
public struct MeterReconciler: Sendable {
    public var stripe: any StripeAPI
    public var usage: any UsageSource
    public var meter: Meter
    public var formula: MeterFormula
    public var range: ReconcileRange
    public var now: Date
    public var logger: Logger
    public var interrupt: InterruptFlag
    public var drillDownBudget: Int

    public init(stripe: any StripeAPI, usage: any UsageSource, meter: Meter, formula: MeterFormula, range: ReconcileRange,
                now: Date, logger: Logger, interrupt: InterruptFlag, drillDownBudget: Int = DrillDown.defaultCallBudget) {
        self.stripe = stripe
        self.usage = usage
        self.meter = meter
        self.formula = formula
        self.range = range
        self.now = now
        self.logger = logger
        self.interrupt = interrupt
        self.drillDownBudget = drillDownBudget
    }

    /// Compares `localDays` (this meter's share of the local aggregate; days of teams without a customer
    /// included) and the Stripe customers in `subscribedCustomers`; `knownCustomers` are those the app
    /// has ever recorded usage for.
    public func run(localDays: [DailyUsage], subscribedCustomers: Set<String>, knownCustomers: Set<String>,
                    badRows: BadUsageRows) async throws -> MeterReconciliation {
        var result = MeterReconciliation(meterID: meter.id, eventName: meter.eventName, formula: formula,
                                         start: range.start, end: range.end, badRows: badRows)
        var dailyLocal: [Date: Int64] = [:]
        var dailyStripe: [Date: Int64] = [:]
        let classifier = GapClassifier(meterID: meter.id, formula: formula, now: now)

        var local: [String: [Date: DailyUsage]] = [:]
        var teams: [String: String] = [:]
        var teamsWithoutCustomer = Set<String>()
        for day in localDays {
            guard let customer = day.stripeCustomerID else {
                // A team with usage and no Stripe customer: nothing to compare, all of it unbilled.
                let value = formula.value(of: day)
                dailyLocal[day.day, default: 0] += value
                result.localTotal += value
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
            local[customer, default: [:]][day.day] = Self.merge(local[customer]?[day.day], day)
        }

        let customers = Set(local.keys).union(subscribedCustomers).sorted()
        result.customers = customers.count + teamsWithoutCustomer.count
        for customer in customers {
            try interrupt.check()
            let team = teams[customer]
            let isUnknown = local[customer] == nil && !knownCustomers.contains(customer)
            do {
                let stripeByDay = try await stripeValues(customer: customer)
                var found: [Discrepancy] = []
                var windows: [ReconciliationWindow] = []
                for day in range.days {
                    let segment = range.segment(of: day)
                    let localValue = local[customer]?[day].map(formula.value(of:)) ?? 0
                    let stripeValue = stripeByDay[day] ?? 0
                    dailyLocal[day, default: 0] += localValue
                    dailyStripe[day, default: 0] += stripeValue
                    let isWholeDay = segment.end.timeIntervalSince(segment.start) == 86_400
                    windows.append(ReconciliationWindow(
                        meterID: meter.id, customerID: customer, teamID: team, start: segment.start, end: segment.end,
                        localValue: localValue, stripeValue: stripeValue, granularity: isWholeDay ? .day : .partialDay))
                    guard localValue != stripeValue else { continue }
                    if isUnknown {
                        let (repair, action) = classifier.decide(.unknownCustomer, start: segment.start, rows: [])
                        found.append(Discrepancy(
                            kind: .unknownCustomer, meterID: meter.id, customerID: customer, teamID: nil,
                            windowStart: segment.start, windowEnd: segment.end, localValue: 0, stripeValue: stripeValue,
                            difference: -stripeValue, repair: repair, suggestedAction: action))
                        continue
                    }
                    let rows = try await usage.usageRows(from: segment.start, to: segment.end, customer: customer)
                        .filter { $0.teamID != nil && $0.tokens >= 0 }
                    let drill = DrillDown(stripe: stripe, meterID: meter.id, customerID: customer, formula: formula,
                                          callBudget: drillDownBudget)
                    let outcome = try await drill.run(start: segment.start, end: segment.end, rows: rows,
                                                      stripeTotal: stripeValue)
                    for window in outcome.visited {
                        let inside = rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end }
                        windows.append(ReconciliationWindow(
                            meterID: meter.id, customerID: customer, teamID: team, start: window.start, end: window.end,
                            localValue: formula.value(of: inside), stripeValue: window.stripeValue,
                            granularity: window.granularity))
                    }
                    for window in outcome.pinned {
                        let inside = rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end }
                        found += classifier.classify(customerID: customer, teamID: team, start: window.start,
                                                     end: window.end, rows: inside, stripeValue: window.stripeValue)
                    }
                }
                if isUnknown && found.isEmpty {
                    // Subscribed to the meter, yet no team knows the customer: a link is missing.
                    let (repair, action) = classifier.decide(.unknownCustomer, start: range.start, rows: [])
                    found.append(Discrepancy(
                        kind: .unknownCustomer, meterID: meter.id, customerID: customer, teamID: nil,
                        windowStart: range.start, windowEnd: range.end, localValue: 0, stripeValue: 0, difference: 0,
                        repair: repair, suggestedAction: action))
                }
                result.discrepancies += found
                result.windows += windows
                result.localTotal += windows.filter { $0.granularity == .day || $0.granularity == .partialDay }.reduce(0) { $0 + $1.localValue }
                result.stripeTotal += windows.filter { $0.granularity == .day || $0.granularity == .partialDay }.reduce(0) { $0 + $1.stripeValue }
            } catch let error where !Self.stopsTheRun(error) {
                // One customer's failure is reported, the others are still compared.
                logger.error("could not reconcile customer", metadata: [
                    "meter": "\(meter.id)", "customer": "\(customer)", "error": "\(error)"])
                result.failedCustomers.append(customer)
            }
        }
        result.daily = range.days.map { DailyComparison(day: $0, local: dailyLocal[$0] ?? 0, stripe: dailyStripe[$0] ?? 0) }
        return result
    }

    /// Stripe's value per day of `customer`: one `day`-grouped call for the whole days, one ungrouped call
    /// for each partial day at either end.
    func stripeValues(customer: String) async throws -> [Date: Int64] {
        var values: [Date: Int64] = [:]
        if let whole = range.wholeDays {
            let summaries = try await stripe.meterEventSummaries(meterID: meter.id, customer: customer,
                                                                 start: whole.start, end: whole.end, grouping: .day)
            for summary in summaries { values[JobTimeRange.startOfUTCDay(summary.startTime), default: 0] += DrillDown.value(summary) }
        }
        for part in range.partialDays {
            let summaries = try await stripe.meterEventSummaries(meterID: meter.id, customer: customer,
                                                                 start: part.start, end: part.end)
            values[JobTimeRange.startOfUTCDay(part.start), default: 0] += summaries.reduce(0) { $0 + DrillDown.value($1) }
        }
        return values
    }

    /// Two teams billed to one customer on one day count together.
    static func merge(_ existing: DailyUsage?, _ day: DailyUsage) -> DailyUsage {
        guard var merged = existing else { return day }
        merged.tokens += day.tokens
        merged.rows += day.rows
        merged.reportedTokens += day.reportedTokens
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
