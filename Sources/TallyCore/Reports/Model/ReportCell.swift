import Foundation

/// One typed value in a report: the CSV and XLSX writers each render it their own way.
///
/// Money is always integer minor units with its currency, never a floating-point amount.
public enum ReportCell: Sendable, Hashable {
    /// Text, written as a literal string (never as a formula).
    case text(String)
    /// A whole number.
    case integer(Int64)
    /// An exact decimal number (a ratio, a unit price).
    case decimal(Decimal)
    /// A change as a fraction of its base (0.25 = +25 %): the workbook shows `+25.0%`, the CSV `25%`, so
    /// neither reads as a bare ratio.
    case percent(Decimal)
    /// An amount in the currency's minor unit (cents, yen), as Stripe sends it.
    case money(minorUnits: Int64, currency: String)
    /// A calendar day (the UTC day containing the date).
    case date(Date)
    /// An instant, shown in UTC.
    case dateTime(Date)
    /// A yes/no value.
    case boolean(Bool)
    /// A link, shown as `label` when one is given.
    case url(String, label: String? = nil)
    /// An empty cell.
    case blank
}

extension ReportCell: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
}
