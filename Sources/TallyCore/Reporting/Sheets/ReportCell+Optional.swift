import Foundation

extension ReportCell {
    /// A date cell, or blank.
    static func day(_ date: Date?) -> ReportCell { date.map { .date($0) } ?? .blank }
    /// A date-time cell, or blank.
    static func instant(_ date: Date?) -> ReportCell { date.map { .dateTime($0) } ?? .blank }
    /// A text cell, or blank.
    static func optionalText(_ text: String?) -> ReportCell { text.map { .text($0) } ?? .blank }
    /// An exact decimal from a latency in milliseconds, one decimal place.
    static func milliseconds(_ value: Double) -> ReportCell {
        .decimal(Decimal((value * 10).rounded()) / 10)
    }
}
