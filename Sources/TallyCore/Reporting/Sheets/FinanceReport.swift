import Foundation

/// The finance workbook's sheets, in order (Summary first), and the charts on the summary.
public struct FinanceReport: Sendable, Equatable {
    public var sheets: [ReportSheet]
    public var charts: [ChartSpec]
    /// Metered invoice lines whose quantity differs from local usage: findings for a human.
    public var usageMismatches: Int
    public var invoiceCount: Int

    /// Builds every sheet from the gathered data.
    public static func build(from data: ReportingData) -> FinanceReport {
        let names = TeamNames(data)
        let figures = CurrencyFigures.figures(in: data)
        let changes = SubscriptionChange.changes(in: data)
        let checks = InvoiceUsageCheck.checks(in: data)
        let health = APIHealth.compute(from: data.apiCalls)
        let revenue = FinanceSheets.dailyRevenue(DailyRevenue.compute(from: data))
        let invoiceUsage = FinanceSheets.invoiceUsage(checks, names: names)
        let summary = FinanceSheets.summary(data.period, figures: figures, changes: changes, checks: checks, health: health)
        let sheets = [
            ReportSheet(summary, csvFileName: "finance-summary.csv"),
            ReportSheet(revenue, csvFileName: "finance-daily-revenue.csv"),
            ReportSheet(FinanceSheets.invoices(data, names: names), csvFileName: "finance-invoices.csv"),
            ReportSheet(FinanceSheets.failedPayments(FailedPayment.all(in: data), names: names),
                        csvFileName: "finance-failed-payments.csv"),
            ReportSheet(FinanceSheets.subscriptions(changes, names: names), csvFileName: "finance-subscriptions.csv"),
            ReportSheet(invoiceUsage, csvFileName: "finance-invoice-vs-usage.csv"),
            ReportSheet(FinanceSheets.discrepancies(data.discrepancies, names: names),
                        csvFileName: "finance-discrepancies.csv"),
            ReportSheet(FinanceSheets.apiHealth(health), csvFileName: "finance-api-health.csv"),
        ]
        let chartColumn = summary.columns.count + 1
        var charts = [
            ChartSpec(kind: .column, title: "Daily revenue (invoiced)", categoryAxisTitle: "Day",
                      valueAxisTitle: "Invoiced", categories: .dataColumn(0, of: revenue),
                      series: revenue.columns.indices.dropFirst().map {
                          ChartSeries(name: revenue.columns[$0].header, values: .dataColumn($0, of: revenue))
                      },
                      anchor: CellPosition(row: 1, column: chartColumn)),
        ]
        charts.append(ChartSpec(
            kind: .line, title: "Usage: local vs billed, per metered invoice line", categoryAxisTitle: "Invoice",
            valueAxisTitle: "Tokens", categories: .dataColumn(0, of: invoiceUsage),
            series: [ChartSeries(name: "Local tokens", values: .dataColumn(FinanceSheets.localTokensColumn, of: invoiceUsage)),
                     ChartSeries(name: "Billed quantity", values: .dataColumn(FinanceSheets.billedColumn, of: invoiceUsage))],
            anchor: CellPosition(row: 23, column: chartColumn)))
        return FinanceReport(
            sheets: sheets, charts: charts, usageMismatches: checks.filter { $0.status != .match }.count,
            invoiceCount: data.periodInvoices.count)
    }
}
