import Foundation

/// Text made safe for HTML email bodies: every team, customer or user name passes through here, since
/// any of them may be hostile.
public enum HTMLText {
    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// The wording every email shares, so plurals, numbers, percentages and days read the same everywhere.
public enum EmailWording {
    /// `1 row`, `4 rows`; `1 discrepancy`, `2 discrepancies` with an explicit plural.
    public static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(number(Int64(value))) \(value == 1 ? singular : plural ?? singular + "s")"
    }

    /// `1,240`, `-42`.
    public static func number(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// `87.9 %`: one decimal, so 87.9 % never reads as 87 %.
    public static func percent(_ ratio: Double) -> String {
        String(format: "%.1f %%", ratio * 100)
    }

    /// `2026-11-26`, or `2026-11-26 to 2026-11-29` for the UTC days a half-open range touches.
    public static func dayRange(from start: Date, to end: Date) -> String {
        let first = UTCCalendarText.day(start)
        let last = UTCCalendarText.day(max(start, end.addingTimeInterval(-1)))
        return first == last ? first : "\(first) to \(last)"
    }

    /// Whole UTC calendar days from `earlier` to `later` (a run at 02:00:05 and one at 02:00:01 seven
    /// nights later are seven days apart).
    public static func calendarDays(from earlier: Date, to later: Date) -> Int {
        Int((floor(later.timeIntervalSince1970 / 86_400) - floor(earlier.timeIntervalSince1970 / 86_400)))
    }

    /// Control characters (line breaks above all) become spaces, so a name cannot start a line of its own.
    public static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : $0 }))
    }
}

/// HTML that renders the same in every mail client: one document, inline styles only, tables for
/// tabular data, headings as headings, no external assets, every value escaped.
public enum EmailHTML {
    /// A table cell: escaped text, with an optional link (an `https://` address Tally builds, never a value
    /// from a row).
    public struct Cell: Sendable, Equatable {
        public var text: String
        public var link: String?
        public var numeric: Bool

        public init(_ text: String, link: String? = nil, numeric: Bool = false) {
            self.text = text
            self.link = link
            self.numeric = numeric
        }
    }

    static let cellStyle = "border: 1px solid #cccccc; padding: 4px 8px; vertical-align: top"

    /// The whole document around `body`.
    public static func document(title: String, body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>\(HTMLText.escape(title))</title>\n</head>\n"
            + "<body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222222\">\n"
            + body + "</body>\n</html>\n"
    }

    public static func heading(_ text: String) -> String {
        "<h2 style=\"font-size: 16px; margin: 16px 0 8px 0\">\(HTMLText.escape(text))</h2>\n"
    }

    public static func paragraph(_ text: String) -> String {
        "<p style=\"margin: 0 0 8px 0\">\(HTMLText.escape(text))</p>\n"
    }

    /// A list whose items carry no marker text of their own ("- " belongs to the text part only).
    public static func list(_ items: [String]) -> String {
        guard !items.isEmpty else { return "" }
        return "<ul style=\"margin: 0 0 8px 0\">\n" + items.map { "<li>\(HTMLText.escape($0))</li>\n" }.joined() + "</ul>\n"
    }

    public static func table(headers: [String], rows: [[Cell]]) -> String {
        var html = "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse: collapse; margin: 0 0 12px 0\">\n<tr>"
        html += headers.map { "<th style=\"\(cellStyle); background: #f0f0f0; text-align: left\">\(HTMLText.escape($0))</th>" }.joined()
        html += "</tr>\n"
        for row in rows {
            html += "<tr>" + row.map(cell).joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    static func cell(_ cell: Cell) -> String {
        let style = cellStyle + (cell.numeric ? "; text-align: right; white-space: nowrap" : "")
        let text = HTMLText.escape(cell.text)
        let content = cell.link.map { "<a href=\"\(HTMLText.escape($0))\" style=\"color: #1a5fb4\">\(text)</a>" } ?? text
        return "<td style=\"\(style)\">\(content)</td>"
    }
}
