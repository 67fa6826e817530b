import Foundation

/// A team's daily usage history (6.1), for the app to offer as a CSV download.
public enum TeamUsageHistory {
    /// One row per day of `period` (zero days included): day, tokens, rows, cost in the metered price's currency.
    public static func table(period: ReportPeriod, usage: [DailyUsage], price: MeteredUnitPrice?) -> ReportTable {
        var byDay: [Date: (tokens: Int64, rows: Int64)] = [:]
        for day in usage {
            byDay[day.day, default: (0, 0)].tokens += day.tokens
            byDay[day.day, default: (0, 0)].rows += day.rows
        }
        var table = ReportTable(name: "Usage history", columns: ["Day", "Tokens", "Rows", "Cost", "Currency"])
        for day in period.dayStarts {
            let entry = byDay[day] ?? (0, 0)
            table.append([
                .date(day), .integer(entry.tokens), .integer(entry.rows),
                price.map { .money(minorUnits: $0.cost(of: entry.tokens), currency: $0.currency) } ?? .blank,
                .optionalText(price.map { CurrencyFormat(currency: $0.currency).code }),
            ])
        }
        return table
    }

    /// Team ids become one path segment: letters, digits, `-` and `_` only, so `../x` cannot escape.
    public static func isSafePathSegment(_ teamID: String) -> Bool {
        !teamID.isEmpty && teamID.count <= 100
            && teamID.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }
}
