import Foundation

/// What comparing one customer on one meter reads: the meter and its judged range, Stripe's summaries and
/// the app's rows. `MeterReconciler` builds it once per meter and hands it to each `CustomerComparison`,
/// which so never calls back into the reconciler that runs it.
struct MeterUnderComparison: Sendable {
    var stripe: any StripeAPI
    var usage: any UsageSource
    var meterID: String
    var aggregation: MeterAggregation
    var range: ReconcileRange
    var now: Date
    /// Stripe calls one discrepant customer-day may spend drilling down.
    var drillDownBudget: Int
    /// The day values fetched while the subscriptions were listed, when the job fetched them ahead.
    var prefetch: StripeDayPrefetch?

    /// Stripe's value per day of `customer`: fetched ahead when the listing named the customer, else now.
    func stripeValues(customer: String) async throws -> [Date: Int64] {
        if let prefetch, let values = try await prefetch.values(for: .init(meterID: meterID, customer: customer)) {
            return values
        }
        return try await fetchStripeValues(customer: customer)
    }

    /// Stripe's value per day of `customer`: one `day`-grouped call for the whole days, one ungrouped call
    /// for each partial day at either end.
    func fetchStripeValues(customer: String) async throws -> [Date: Int64] {
        var values: [Date: Int64] = [:]
        if let whole = range.wholeDays {
            let summaries = try await stripe.meterEventSummaries(meterID: meterID, customer: customer,
                                                                 start: whole.start, end: whole.end, grouping: .day)
            for summary in summaries { values[JobTimeRange.startOfUTCDay(summary.startTime), default: 0] += DrillDown.value(summary) }
        }
        for part in range.partialDays {
            let summaries = try await stripe.meterEventSummaries(meterID: meterID, customer: customer,
                                                                 start: part.start, end: part.end)
            values[JobTimeRange.startOfUTCDay(part.start), default: 0] += summaries.reduce(0) { $0 + DrillDown.value($1) }
        }
        return values
    }
}
