import Foundation

/// Builds each finance sheet from computed figures: one function per sheet, values in, table out.
enum FinanceSheets {
    static func summary(_ period: ReportPeriod, figures: [CurrencyFigures], changes: [SubscriptionChange],
                        checks: [InvoiceUsageCheck], health: APIHealth) -> ReportTable {
        var table = ReportTable(name: "Summary", columns: [ReportColumn("Figure", width: 34), "Currency", ReportColumn("Value", width: 18)])
        table.append(["Period start", .blank, .date(period.start)])
        table.append(["Period end (exclusive)", .blank, .date(period.end)])
        for figure in figures {
            let code = CurrencyFormat(currency: figure.currency).code
            func money(_ label: String, _ amount: Int64) {
                table.append([.text(label), .text(code), .money(minorUnits: amount, currency: figure.currency)])
            }
            money("Invoiced", figure.invoiced)
            money("Collected", figure.collected)
            money("Outstanding", figure.outstanding)
            money("Voided or credited", figure.voidedOrCredited)
            table.append(["Failed payments (count)", .text(code), .integer(figure.failedPayments)])
            money("Failed payments (amount)", figure.failedAmount)
            money("MRR at period end", figure.recurringRevenue)
            money("MRR at period start", figure.previousRecurringRevenue)
            money("MRR change", figure.recurringRevenueChange)
            money("Usage revenue", figure.usageRevenue)
        }
        let count = { (kind: SubscriptionChange.Kind) in Int64(changes.filter { $0.kind == kind }.count) }
        table.append(["New subscriptions", .blank, .integer(count(.started))])
        table.append(["Changed subscriptions", .blank, .integer(count(.changed))])
        table.append(["Churned subscriptions", .blank, .integer(count(.cancelled))])
        table.append(["Metered lines not matching usage", .blank, .integer(Int64(checks.filter { $0.status != .match }.count))])
        table.append(["Stripe API calls", .blank, .integer(health.overall.calls)])
        table.append(["Failed meter-event calls", .blank, .integer(health.failedMeterEventCalls)])
        return table
    }

    static func dailyRevenue(_ revenue: DailyRevenue) -> ReportTable {
        let codes = revenue.currencies.map { CurrencyFormat(currency: $0).code }
        var table = ReportTable(name: "Daily revenue", columns: [ReportColumn("Day")] + codes.map { ReportColumn("Invoiced \($0)") })
        if codes.isEmpty { table.columns.append("Invoiced") }
        for day in revenue.days {
            let amounts: [ReportCell] = zip(revenue.currencies, day.amounts).map { .money(minorUnits: $1, currency: $0) }
            table.append([.date(day.day)] + (codes.isEmpty ? [.integer(0)] : amounts))
        }
        return table
    }

    static func invoices(_ data: ReportingData, names: TeamNames) -> ReportTable {
        var table = ReportTable(name: "Invoices", columns: [
            "Number", "Invoice ID", "Customer", "Team", "Status", "Created", "Finalized", "Paid", "Voided",
            "Period Start", "Period End", "Subtotal", "Tax", "Total", "Amount Paid", "Amount Remaining", "Currency",
            ReportColumn("Hosted Invoice", width: 40),
        ])
        for invoice in data.periodInvoices.sorted(by: { ($0.created ?? .distantPast, $0.id) < ($1.created ?? .distantPast, $1.id) }) {
            let money = { (amount: Int64) in ReportCell.money(minorUnits: amount, currency: invoice.currency) }
            let transitions = invoice.statusTransitions
            table.append([
                .optionalText(invoice.number), .text(invoice.id), .optionalText(invoice.customer), names.name(customer: invoice.customer),
                .optionalText(invoice.status), .instant(invoice.created), .instant(transitions?.finalizedAt),
                .instant(transitions?.paidAt), .instant(transitions?.voidedAt), .day(invoice.periodStart),
                .day(invoice.periodEnd), invoice.subtotal.map(money) ?? .blank, money(invoice.totalTax),
                invoice.total.map(money) ?? .blank, money(invoice.amountPaid), money(invoice.amountRemaining),
                .text(CurrencyFormat(currency: invoice.currency).code),
                invoice.hostedInvoiceUrl.map { .url($0, label: invoice.number ?? invoice.id) } ?? .blank,
            ])
        }
        return table
    }

    /// The period's invoices whose payment failed; their dunning state is Stripe's as of `now` (when the
    /// report runs), which the header says, since a past month's workbook is written later.
    static func failedPayments(_ failures: [FailedPayment], period: ReportPeriod, now: Date, names: TeamNames) -> ReportTable {
        var table = ReportTable(name: "Failed payments", columns: [
            "Number", "Invoice ID", "Customer", "Team", "Status", "Created", "Amount Due", "Amount Remaining",
            "Currency", "Attempts", "Last Failure", "Next Attempt",
            ReportColumn("Dunning State (as of \(UTCCalendarText.day(now)))"),
        ])
        for failure in failures where period.contains(failure.invoice.created) {
            let invoice = failure.invoice
            table.append([
                .optionalText(invoice.number), .text(invoice.id), .optionalText(invoice.customer), names.name(customer: invoice.customer),
                .optionalText(invoice.status), .instant(invoice.created),
                .money(minorUnits: invoice.amountDue, currency: invoice.currency),
                .money(minorUnits: invoice.amountRemaining, currency: invoice.currency),
                .text(CurrencyFormat(currency: invoice.currency).code), .integer(Int64(invoice.attemptCount ?? 0)),
                .instant(failure.lastFailedAt), .instant(invoice.nextPaymentAttempt), .text(failure.dunningState(asOf: now)),
            ])
        }
        return table
    }

    static func subscriptions(_ changes: [SubscriptionChange], names: TeamNames) -> ReportTable {
        var table = ReportTable(name: "Subscriptions", columns: [
            "Change", "At", "Subscription", "Customer", "Team", "Status", "Monthly Amount", "Currency",
        ])
        for change in changes {
            let amounts: [(String, Int64)] = change.monthlyAmounts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            // One row per currency (a subscription is billed in one, but never mix them in a cell).
            for (currency, amount) in amounts.isEmpty ? [("", Int64(0))] : amounts {
                table.append([
                    .text(change.kind.rawValue), .dateTime(change.at), .text(change.subscriptionID), .optionalText(change.customerID),
                    names.name(customer: change.customerID), .text(change.status),
                    currency.isEmpty ? .blank : .money(minorUnits: amount, currency: currency),
                    currency.isEmpty ? .blank : .text(CurrencyFormat(currency: currency).code),
                ])
            }
        }
        return table
    }

    /// Columns of the invoice-vs-usage sheet the summary chart plots.
    static let billedColumn = 7
    static let localTokensColumn = 8

    static func invoiceUsage(_ checks: [InvoiceUsageCheck], names: TeamNames) -> ReportTable {
        var table = ReportTable(name: "Invoice vs usage", columns: [
            "Invoice", "Invoice ID", "Line ID", "Customer", "Team", "Line Period Start", "Line Period End",
            "Billed Quantity", "Local Tokens", "Difference", "Line Amount", "Status",
        ])
        for check in checks {
            table.append([
                .text(check.invoiceNumber ?? check.invoiceID), .text(check.invoiceID), .text(check.lineID),
                .optionalText(check.customerID), names.name(customer: check.customerID), .instant(check.periodStart),
                .instant(check.periodEnd), .integer(check.billedQuantity), .integer(check.localTokens),
                .integer(check.difference), .money(minorUnits: check.amount, currency: check.currency),
                .text(check.status.rawValue),
            ])
        }
        return table
    }

    /// The latest run's discrepancies whose window starts in the period: a month's workbook holds that month only.
    static func discrepancies(_ all: [DiscrepancyRecord], period: ReportPeriod, names: TeamNames) -> ReportTable {
        let records = all.filter { period.contains($0.windowStart) }
        var table = ReportTable(name: "Discrepancies", columns: [
            "Reconciled At", "Customer", "Team", "Meter", "Window Start", "Window End", "Local Tokens",
            "Stripe Tokens", "Difference", "Kind", "Resolution",
        ])
        if all.isEmpty {
            table.append(["no reconciliation run yet"])
        } else if records.isEmpty {
            table.append(["no discrepancy in this period"])
        }
        for record in records {
            table.append([
                .dateTime(record.reconciledAt), .text(record.customerID),
                names.name(customer: record.customerID, team: record.teamID),
                .text(record.meterID), .dateTime(record.windowStart), .dateTime(record.windowEnd),
                .integer(record.localTokens), .integer(record.stripeTokens), .integer(record.difference),
                .text(record.kind), .optionalText(record.resolution),
            ])
        }
        return table
    }

    static func apiHealth(_ health: APIHealth) -> ReportTable {
        var table = ReportTable(name: "API health", columns: [
            ReportColumn("Endpoint", width: 48), "Calls", "Failures", "Rate-Limited", "P50 Latency (ms)",
            "P95 Latency (ms)",
        ])
        for endpoint in health.endpoints + [health.overall] {
            table.append([
                .text(endpoint.endpoint), .integer(endpoint.calls), .integer(endpoint.failures),
                .integer(endpoint.rateLimited), .milliseconds(endpoint.p50Milliseconds),
                .milliseconds(endpoint.p95Milliseconds),
            ])
        }
        table.append(["Failed meter-event calls", .integer(health.failedMeterEventCalls)])
        return table
    }
}
