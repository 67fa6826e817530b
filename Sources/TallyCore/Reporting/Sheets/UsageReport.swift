import Foundation

/// The usage workbook: usage by team per day, and per-team cost to date with its projection (6.1).
public struct UsageReport: Sendable, Equatable {
    public var sheets: [ReportSheet]
    public var charts: [ChartSpec]

    public static func build(from data: ReportingData) -> UsageReport {
        let names = TeamNames(data)
        var daily = ReportTable(name: "Usage by team", columns: [
            "Day", "Team ID", "Team", "Customer", "Tokens", "Rows", "Reported Tokens",
        ])
        let days = data.usage.sorted { ($0.day, $0.teamID.count, $0.teamID) < ($1.day, $1.teamID.count, $1.teamID) }
        for day in days {
            daily.append([
                .date(day.day), .text(day.teamID), names.name(team: day.teamID), .optionalText(day.stripeCustomerID),
                .integer(day.tokens), .integer(day.rows), .integer(day.reportedTokens),
            ])
        }
        var costs = ReportTable(name: "Cost and projection", columns: [
            "Team ID", "Team", "Customer", "Tokens to Date", "Unit Price (minor units)", "Cost to Date",
            "Days Elapsed", "Days in Period", "Projected Period Cost", "Last Month Same Days", "Change vs Last Month (%)",
            "Currency",
        ])
        for cost in TeamCost.costs(in: data) {
            let currency = cost.unitPrice?.currency
            let money = { (amount: Int64?) -> ReportCell in
                guard let amount, let currency else { return .blank }
                return .money(minorUnits: amount, currency: currency)
            }
            costs.append([
                .text(cost.teamID), names.name(team: cost.teamID), .optionalText(cost.customerID), .integer(cost.tokens),
                cost.unitPrice.map { .decimal($0.minorUnitsPerToken) } ?? .blank, money(cost.costToDate),
                .integer(Int64(cost.elapsedDays)), .integer(Int64(cost.periodDays)), money(cost.projectedCost),
                money(cost.previousCost), cost.trend.map { .percent($0) } ?? .blank,
                .optionalText(currency.map { CurrencyFormat(currency: $0).code }),
            ])
        }
        let tokensPerDay = TokensPerDay.table(data)
        let chart = ChartSpec(
            kind: .line, title: "Tokens per day (all teams)", categoryAxisTitle: "Day", valueAxisTitle: "Tokens",
            categories: .dataColumn(0, of: tokensPerDay),
            categoryFormat: ChartSpec.dayAxisFormat, valueFormat: "#,##0",
            series: [ChartSeries(name: "Tokens", values: .dataColumn(1, of: tokensPerDay))],
            anchor: CellPosition(row: 1, column: 4))
        return UsageReport(sheets: [
            ReportSheet(tokensPerDay, csvFileName: "usage-daily-totals.csv"),
            ReportSheet(daily, csvFileName: "usage-by-team.csv"),
            ReportSheet(costs, csvFileName: "usage-cost-projection.csv"),
        ], charts: [chart])
    }
}

/// Tokens of all teams per day: the usage workbook's first sheet, which carries its chart.
enum TokensPerDay {
    static func table(_ data: ReportingData) -> ReportTable {
        var totals: [Date: (tokens: Int64, rows: Int64)] = [:]
        for day in data.usage {
            totals[day.day, default: (0, 0)].tokens += day.tokens
            totals[day.day, default: (0, 0)].rows += day.rows
        }
        var table = ReportTable(name: "Daily totals", columns: ["Day", "Tokens", "Rows", "Teams"])
        let teams = Dictionary(grouping: data.usage, by: \.day).mapValues { Set($0.map(\.teamID)).count }
        for day in data.period.dayStarts {
            table.append([.date(day), .integer(totals[day]?.tokens ?? 0), .integer(totals[day]?.rows ?? 0),
                          .integer(Int64(teams[day] ?? 0))])
        }
        return table
    }
}
