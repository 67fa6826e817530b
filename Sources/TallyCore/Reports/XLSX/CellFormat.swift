/// The cell styles a workbook uses, one Excel number format each; the workbook creates each style once.
public enum CellFormat: Sendable, Hashable {
    /// Bold header text.
    case header
    /// A whole number with thousands separators.
    case integer
    /// A calendar day: `yyyy-mm-dd`.
    case date
    /// An instant in UTC: `yyyy-mm-dd hh:mm:ss`.
    case dateTime
    /// An amount in `currency`, in major units with the currency's decimals (see `CurrencyFormat`).
    case money(currency: String)
    /// A link (blue, underlined).
    case url
    /// A change as a signed percentage of its base: the fraction 1.1785 shows as `+117.9%`.
    case percent

    /// The Excel number format code, or `nil` for "General".
    public var numberFormat: String? {
        switch self {
        case .header, .url: nil
        case .integer: "#,##0"
        case .percent: "+0.0%;-0.0%;0.0%"
        case .date: "yyyy-mm-dd"
        case .dateTime: "yyyy-mm-dd hh:mm:ss"
        case .money(let currency): CurrencyFormat(currency: currency).excelNumberFormat
        }
    }
}
