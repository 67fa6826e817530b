import Foundation

/// Invoiced amounts per UTC day and currency, every day of the period listed (zero when nothing was
/// invoiced) so the chart's axis has no gaps.
public struct DailyRevenue: Sendable, Equatable {
    /// Lower-case codes, sorted: one column each.
    public var currencies: [String]
    /// 00:00 UTC of each day, with the amount per currency (same order as `currencies`).
    public var days: [(day: Date, amounts: [Int64])]

    public static func == (lhs: DailyRevenue, rhs: DailyRevenue) -> Bool {
        lhs.currencies == rhs.currencies && lhs.days.map(\.day) == rhs.days.map(\.day)
            && lhs.days.map(\.amounts) == rhs.days.map(\.amounts)
    }

    /// Finalized invoices of the period by the day they were finalized (or created).
    public static func compute(from data: ReportingData) -> DailyRevenue {
        let invoices = data.finalizedInvoices
        let currencies = Set(invoices.map { $0.currency.lowercased() }).sorted()
        var totals: [Date: [String: Int64]] = [:]
        for invoice in invoices {
            guard let when = invoice.statusTransitions?.finalizedAt ?? invoice.created else { continue }
            totals[JobTimeRange.startOfUTCDay(when), default: [:]][invoice.currency.lowercased(), default: 0] +=
                invoice.total ?? invoice.amountDue
        }
        let days = data.period.dayStarts.map { day in
            (day: day, amounts: currencies.map { totals[day]?[$0] ?? 0 })
        }
        return DailyRevenue(currencies: currencies, days: days)
    }
}
