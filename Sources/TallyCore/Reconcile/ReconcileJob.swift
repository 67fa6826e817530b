import Foundation
import Logging

/// The `tally-reconcile` use-case: for each configured meter, compares the app's usage with Stripe's
/// per customer and UTC day, pins and classifies every gap, stores the run, writes the reports and
/// alerts when a person must look.
public enum ReconcileJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "reconcile"

    /// Runs one reconciliation with `context`'s dependencies.
    public static func run(_ context: JobContext) async throws -> JobReport {
        let outcome = try await reconcile(context)
        for meter in outcome.meters {
            _ = try await context.store.saveReconciliation(meter, jobRunID: context.runID, createdAt: outcome.finishedAt)
        }
        let builder = ReconciliationReportBuilder(outcome: outcome)
        let files = try await builder.write(to: ReportPaths(root: context.configuration.output.reportsDirectory))
        context.logger.info("wrote reconciliation report", metadata: ["csv": "\(files.csv.path)", "xlsx": "\(files.xlsx.path)"])
        if outcome.needsHuman {
            try await sendAlert(outcome, csv: builder.csvData, context: context)
        }
        context.logger.notice("\(outcome.summary)")
        let compared = outcome.meters.reduce(0) { count, meter in
            count + meter.windows.filter { $0.granularity == .day || $0.granularity == .partialDay }.count
        }
        return JobReport(itemsProcessed: compared, itemsFailed: outcome.failedCustomers.count,
                         needsHuman: outcome.needsHuman, summary: outcome.summary)
    }

    /// Compares every meter and returns what was found, without storing or sending anything.
    public static func reconcile(_ context: JobContext) async throws -> ReconciliationOutcome {
        let settings = context.configuration
        let now = context.clock.now()
        let requested = try context.range(default: ReconcileRange.defaultRange(now: now, lookbackDays: settings.reconcile.lookbackDays))
        let range = ReconcileRange(requested: requested, now: now, settleDelay: settings.reconcile.settleDelay)
        guard !settings.stripe.meterIDs.isEmpty else {
            throw ConfigurationError(key: "STRIPE_METER_ID", problem: "is not set", fix: "set it to the meter id(s) to reconcile, comma-separated")
        }
        context.logger.info("reconciling", metadata: [
            "range": "\(requested)", "judged_until": "\(JobTimeRange.format(range.end))",
            "meters": "\(settings.stripe.meterIDs.joined(separator: ","))"])

        var meters: [(Meter, MeterAggregation)] = []
        for id in settings.stripe.meterIDs {
            let meter = try await context.stripe.meter(id: id)
            meters.append((meter, try MeterAggregation(meter: meter)))
        }

        try await context.store.checkUsageColumns()
        // Local side: one aggregate query over the settled range; future-dated rows lie beyond it, so
        // a second query past the range only counts them (and the rows whose time cannot be read at all).
        var aggregate = UsageAggregate(days: [], badRows: BadUsageRows())
        if !range.isEmpty {
            aggregate = try await context.store.dailyUsage(from: range.start, to: range.end, now: now)
        }
        let beyond = try await context.store.dailyUsage(from: range.end, to: now.addingTimeInterval(100 * 365 * 86_400), now: now,
                                                        includingUnreadable: true)
        var badRows = aggregate.badRows
        var lateBad = BadUsageRows(futureTimestamp: beyond.badRows.futureTimestamp,
                                   unreadableTimestamp: beyond.badRows.unreadableTimestamp)
        lateBad.examples = beyond.badRows.examples.filter { [.futureTimestamp, .unreadableTimestamp].contains($0.key) }
        badRows.add(lateBad)

        // Stripe side: customers with a metered item on each meter (canceled subscriptions too: their
        // last days may still be in range).
        let subscribed = customersByMeter(try await context.stripe.subscriptions(status: "all"))
        let localCustomers = Set(aggregate.days.compactMap(\.stripeCustomerID))
        let stripeOnly = subscribed.values.reduce(into: Set<String>()) { $0.formUnion($1) }.subtracting(localCustomers)
        let known = try await context.store.customersWithUsage(among: stripeOnly.sorted())

        var results: [MeterReconciliation] = []
        for (index, (meter, aggregation)) in meters.enumerated() {
            let days = aggregate.days.filter { day in
                meterIndex(for: day.stripeCustomerID, meters: meters.map(\.0.id), subscribed: subscribed) == index
            }
            let reconciler = MeterReconciler(stripe: context.stripe, usage: context.store, meter: meter, aggregation: aggregation,
                                             range: range, now: now, logger: context.logger, interrupt: context.interrupt)
            var result = try await reconciler.run(localDays: days, subscribedCustomers: subscribed[meter.id] ?? [],
                                                  knownCustomers: known, badRows: badRows)
            if index == 0 {
                result.discrepancies += badRowDiscrepancies(badRows, meterID: meter.id, range: range, now: now)
            }
            results.append(result)
        }
        return ReconciliationOutcome(meters: results, range: range, alertRatio: settings.reconcile.alertRatio,
                                     finishedAt: context.clock.now())
    }

    /// The customers with a metered item on each meter, by meter id.
    static func customersByMeter(_ subscriptions: [Subscription]) -> [String: Set<String>] {
        var subscribed: [String: Set<String>] = [:]
        for subscription in subscriptions {
            guard let customer = subscription.customer else { continue }
            for item in subscription.items?.data ?? [] {
                if let meter = item.price?.recurring?.meter { subscribed[meter, default: []].insert(customer) }
            }
        }
        return subscribed
    }

    /// With several meters, a customer's usage is judged on the meter it has a metered item on; usage of
    /// customers with none (and of teams without a customer) on the first meter.
    static func meterIndex(for customer: String?, meters: [String], subscribed: [String: Set<String>]) -> Int {
        guard meters.count > 1, let customer else { return 0 }
        return meters.firstIndex { subscribed[$0]?.contains(customer) == true } ?? 0
    }

    /// One `bad_rows` discrepancy per kind of bad row found, naming the first rows; the values are row counts.
    static func badRowDiscrepancies(_ bad: BadUsageRows, meterID: String, range: ReconcileRange, now: Date) -> [Discrepancy] {
        UsageProblem.allCases.filter { bad[$0] > 0 }.map { problem in
            let count = bad[problem]
            let ids = bad.examples[problem] ?? []
            let listed = ids.isEmpty ? "" : " (\(ids.count == 1 ? "id" : "ids") \(ids.prefix(10).joined(separator: ", "))\(count > 10 ? ", …" : ""))"
            return Discrepancy(kind: .badRows, meterID: meterID, customerID: nil, teamID: nil, windowStart: range.requested.start,
                               windowEnd: max(range.requested.end, now), localValue: count, stripeValue: 0, difference: count,
                               repair: .human,
                               suggestedAction: "\(count) \(count == 1 ? "row" : "rows") with \(problem.reason)\(listed): fix or delete \(count == 1 ? "it" : "them") in token_usage; never billed as is",
                               usageRowIDs: problem == .totalOverflow ? [] : ids)
        }
    }

    /// Emails the alert to `ALERT_EMAIL`, or says in the log why it did not.
    static func sendAlert(_ outcome: ReconciliationOutcome, csv: Data, context: JobContext) async throws {
        let recipients = context.configuration.mail.alertRecipients.compactMap(EmailAddress.init(parsing:))
        guard !recipients.isEmpty else {
            context.logger.warning("findings need a human but ALERT_EMAIL is not set: no alert sent")
            return
        }
        var names: [String: String] = [:]
        for id in Set(outcome.largestGaps.prefix(ReconciliationAlert.tableRows).compactMap(\.customerID)) {
            // Names only make the table easier to read: a customer Stripe does not know keeps its id.
            let customer = try? await context.stripe.send(.get("/v1/customers/\(StripePath.segment(id))")).decode(Customer.self)
            if let name = customer?.name { names[id] = name }
        }
        let alert = ReconciliationAlert(outcome: outcome, customerNames: names, csv: csv)
        let sender = EmailAddress(parsing: context.configuration.mail.from) ?? EmailAddress(name: "Tally", address: "tally@localhost")
        let message = alert.message(from: sender, to: recipients, date: context.clock.now())
        if context.dryRun {
            context.logger.notice("dry run: would email the alert", metadata: [
                "subject": "\(message.subject)", "to": "\(recipients.map(\.address).joined(separator: ","))"])
            return
        }
        let delivery = try await context.mailer.send(message)
        context.logger.notice("sent reconciliation alert", metadata: ["subject": "\(message.subject)", "delivery": "\(delivery)"])
    }
}
