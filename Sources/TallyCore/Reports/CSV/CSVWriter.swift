import Foundation

/// Renders a `ReportTable` as RFC 4180 CSV in UTF-8: pure, rows in, bytes out.
///
/// Lines end with CRLF, as RFC 4180 specifies and Excel expects. A field is quoted only when it holds a
/// comma, a double quote, CR or LF. Text that a spreadsheet would run as a formula (it begins with
/// `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`; numeric cells stay numbers, so `-12` as an
/// integer is written `-12` while the text `"-12"` is written `'-12`. Money is exact decimal text from
/// minor units; dates are ISO 8601 in UTC.
public struct CSVWriter: Sendable {
    /// The line terminator (RFC 4180: CRLF).
    public static let lineEnding = "\r\n"

    public init() {}

    /// The whole table, header row first, as UTF-8 bytes.
    public func data(for table: ReportTable) -> Data {
        Data(text(for: table).utf8)
    }

    /// The whole table, header row first, every line ending in CRLF.
    public func text(for table: ReportTable) -> String {
        var output = ""
        appendLine(table.columns.map { field(.text($0.header)) }, to: &output)
        for row in table.rows {
            var fields = row.map(field)
            if fields.count < table.columns.count {
                fields += Array(repeating: "", count: table.columns.count - fields.count)
            }
            appendLine(fields, to: &output)
        }
        return output
    }

    /// One cell as a CSV field: neutralised if it is text, then quoted if needed.
    public func field(_ cell: ReportCell) -> String {
        switch cell {
        case .text(let text): quoted(neutralised(text))
        case .integer(let value): String(value)
        case .decimal(let value): value.description
        // The percentage with a `%` sign, as Excel writes a percent cell to CSV and reads it back.
        case .percent(let fraction): (fraction * 100).description + "%"
        case .money(let minorUnits, let currency): CurrencyFormat(currency: currency).decimalText(minorUnits: minorUnits)
        case .date(let date): UTCCalendarText.day(date)
        case .dateTime(let date): UTCCalendarText.instant(date)
        case .boolean(let value): value ? "true" : "false"
        case .url(let url, _): quoted(neutralised(url))
        case .blank: ""
        }
    }

    /// Text a spreadsheet would evaluate gets a leading `'` (OWASP "CSV injection").
    func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, Self.formulaTriggers.contains(first) else { return text }
        return "'" + text
    }

    private func quoted(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: Self.needsQuoting.contains) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func appendLine(_ fields: [String], to output: inout String) {
        output += fields.joined(separator: ",")
        output += Self.lineEnding
    }

    private static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    private static let needsQuoting: Set<Unicode.Scalar> = [",", "\"", "\r", "\n"]
}
