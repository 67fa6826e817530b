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
            ReportSheet(FinanceSheets.failedPayments(FailedPayment.all(in: data), period: data.period, now: data.now,
                                                     names: names),
                        csvFileName: "finance-failed-payments.csv"),
            ReportSheet(FinanceSheets.subscriptions(changes, names: names), csvFileName: "finance-subscriptions.csv"),
            ReportSheet(invoiceUsage, csvFileName: "finance-invoice-vs-usage.csv"),
            ReportSheet(FinanceSheets.discrepancies(data.discrepancies, period: data.period, names: names),
                        csvFileName: "finance-discrepancies.csv"),
            ReportSheet(FinanceSheets.apiHealth(health), csvFileName: "finance-api-health.csv"),
        ]
        let chartColumn = summary.columns.count + 1
        // One revenue chart per currency: ¥106,105 and $6,427 on one axis would hide the dollars, and an
        // axis needs one unit to be labelled in.
        var charts = revenueCharts(revenue, currencies: DailyRevenue.compute(from: data).currencies, column: chartColumn)
        charts.append(ChartSpec(
            kind: .bar, title: "Usage per metered invoice line: local vs billed", categoryAxisTitle: "Invoice",
            valueAxisTitle: "Tokens", categories: .dataColumn(0, of: invoiceUsage), valueFormat: "#,##0",
            series: [ChartSeries(name: "Local tokens", values: .dataColumn(FinanceSheets.localTokensColumn, of: invoiceUsage)),
                     ChartSeries(name: "Billed quantity", values: .dataColumn(FinanceSheets.billedColumn, of: invoiceUsage))],
            anchor: CellPosition(row: 1 + charts.count * chartRows, column: chartColumn)))
        return FinanceReport(
            sheets: sheets, charts: charts, usageMismatches: checks.filter { $0.status != .match }.count,
            invoiceCount: data.periodInvoices.count)
    }

    /// Rows a chart takes on the summary sheet at its 1.5 scale (432 px at 20 px a row, plus a gap).
    static let chartRows = 23

    /// A column chart of each currency's daily invoiced amounts, titled with its code, its value axis in
    /// that currency's format and its day axis formatted as dates.
    static func revenueCharts(_ revenue: ReportTable, currencies: [String], column: Int) -> [ChartSpec] {
        currencies.enumerated().map { index, currency in
            let format = CurrencyFormat(currency: currency)
            return ChartSpec(
                kind: .column, title: "Daily revenue (invoiced), \(format.code)", categoryAxisTitle: "Day",
                valueAxisTitle: "Invoiced (\(format.code))", categories: .dataColumn(0, of: revenue),
                categoryFormat: ChartSpec.dayAxisFormat, valueFormat: format.excelNumberFormat,
                series: [ChartSeries(name: "Invoiced \(format.code)", values: .dataColumn(index + 1, of: revenue))],
                anchor: CellPosition(row: 1 + index * chartRows, column: column))
        }
    }
}
