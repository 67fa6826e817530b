import Foundation

/// The discrepancy alert: a subject that says how many gaps and how much, a table of the largest,
/// what `tally-retry` can repair and what needs a human, as plain text and HTML, with the CSV attached.
///
/// Customer names come from Stripe and team ids from the app: both are untrusted, so every value is
/// HTML-escaped, and headers are left to `MIMEEncoder`, which encodes them (RFC 2047) and refuses line breaks.
public struct ReconciliationAlert: Sendable {
    /// Rows in the table of largest gaps.
    public static let tableRows = 10

    public var outcome: ReconciliationOutcome
    /// Stripe customer names by id, where known.
    public var customerNames: [String: String]
    public var csv: Data

    public init(outcome: ReconciliationOutcome, customerNames: [String: String] = [:], csv: Data) {
        self.outcome = outcome
        self.customerNames = customerNames
        self.csv = csv
    }

    /// E.g. `Tally: 4 usage discrepancies, 1,240 tokens (2.1%) on 2026-11-24`.
    public var subject: String {
        let count = outcome.discrepancies.count
        var text = "Tally: \(count) usage \(count == 1 ? "discrepancy" : "discrepancies"), "
            + "\(Self.number(outcome.absoluteDiscrepancy)) tokens"
        if let ratio = outcome.ratio { text += " (\(Self.percent(ratio)))" }
        text += " on \(UTCCalendarText.day(outcome.reportDay))"
        let human = outcome.needingHuman.count
        if human > 0 { text += ", \(human) \(human == 1 ? "needs" : "need") a human" }
        return text
    }

    /// The message to `recipients`.
    public func message(from sender: EmailAddress, to recipients: [EmailAddress], date: Date) -> EmailMessage {
        EmailMessage(from: sender, to: recipients, subject: subject, textBody: text, htmlBody: html,
                     attachments: [EmailAttachment(filename: "reconciliation.csv", contentType: "text/csv", data: csv)],
                     date: date)
    }

    struct Line {
        var customer: String
        var team: String
        var window: String
        var local: String
        var stripe: String
        var difference: String
        var kind: String
        var action: String
    }

    var lines: [Line] {
        outcome.largestGaps.prefix(Self.tableRows).map { d in
            let customer = d.customerID.map { id in customerNames[id].map { "\($0) (\(id))" } ?? id } ?? "-"
            return Line(customer: Self.oneLine(customer), team: Self.oneLine(d.teamID ?? "-"),
                        window: "\(UTCCalendarText.instant(d.windowStart)) to \(UTCCalendarText.instant(d.windowEnd))",
                        local: Self.number(d.localValue), stripe: Self.number(d.stripeValue),
                        difference: Self.number(d.difference), kind: d.kind.rawValue, action: d.suggestedAction)
        }
    }

    var overview: [String] {
        let range = outcome.range
        var result = [
            "Usage reconciliation of \(outcome.meters.map(\.meterID).joined(separator: ", ")), "
                + "\(UTCCalendarText.instant(range.requested.start)) to \(UTCCalendarText.instant(range.end)) (settled usage).",
            "Local usage \(Self.number(outcome.localTotal)), Stripe \(Self.number(outcome.stripeTotal)), "
                + "absolute discrepancy \(Self.number(outcome.absoluteDiscrepancy))"
                + (outcome.ratio.map { " (\(Self.percent($0)) of usage; the alert threshold is \(Self.percent(outcome.alertRatio)))" } ?? " (no local usage)") + ".",
        ]
        let bad = outcome.badRows
        if bad.total > 0 {
            let kinds = UsageProblem.allCases.filter { bad[$0] > 0 }.map { "\(bad[$0]) with \($0.reason)" }
            result.append("Bad local rows skipped (never billed, listed in the report): \(kinds.joined(separator: ", ")).")
        }
        if !outcome.failedCustomers.isEmpty {
            result.append("\(outcome.failedCustomers.count) customers could not be compared (Stripe errors, see the job log).")
        }
        return result
    }

    var repairSummary: String {
        let repairable = outcome.repairable
        let amount = repairable.reduce(0) { $0 + abs($1.difference) }
        return repairable.isEmpty
            ? "tally-retry can repair: nothing."
            : "tally-retry can repair: \(repairable.count) gaps, \(Self.number(amount)) tokens (never reported, or lost within Stripe's 24 h identifier window, and within 35 days). Run tally-retry."
    }

    var humanSummary: [String] {
        let human = outcome.needingHuman
        guard !human.isEmpty else { return ["Needs a human: nothing beyond the threshold check."] }
        var lines = ["Needs a human: \(human.count) gaps."]
        for kind in DiscrepancyKind.allCases {
            let ofKind = human.filter { $0.kind == kind }
            if let first = ofKind.first {
                lines.append("- \(ofKind.count) \(kind.label): \(first.suggestedAction)")
            }
        }
        return lines
    }

    /// The plain-text alternative.
    public var text: String {
        var body = overview.joined(separator: "\n") + "\n\n"
        body += "Largest gaps (difference = local - Stripe):\n"
        for line in lines {
            body += "- \(line.customer), team \(line.team), \(line.window): local \(line.local), Stripe \(line.stripe), "
                + "difference \(line.difference), \(line.kind). \(line.action)\n"
        }
        body += "\n" + repairSummary + "\n\n" + humanSummary.joined(separator: "\n") + "\n\n"
        body += "Every discrepancy is in the attached reconciliation.csv.\n"
        return body
    }

    /// The HTML alternative; every value escaped.
    public var html: String {
        let e = HTMLText.escape
        var body = "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif\">\n"
        for paragraph in overview { body += "<p>\(e(paragraph))</p>\n" }
        body += "<h3>Largest gaps</h3>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n"
        body += "<tr><th>Customer</th><th>Team</th><th>Window (UTC)</th><th>Local</th><th>Stripe</th><th>Difference</th><th>Class</th><th>Suggested action</th></tr>\n"
        for line in lines {
            let cells = [line.customer, line.team, line.window, line.local, line.stripe, line.difference, line.kind, line.action]
            body += "<tr>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
        }
        body += "</table>\n<p>\(e(repairSummary))</p>\n<ul>\n"
        for line in humanSummary { body += "<li>\(e(line))</li>\n" }
        body += "</ul>\n<p>Every discrepancy is in the attached reconciliation.csv.</p>\n</body></html>\n"
        return body
    }


    /// Control characters (line breaks above all) become spaces, so a name cannot start a line of its own.
    static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
    }

    /// `1,240`.
    static func number(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// `2.1%`.
    static func percent(_ ratio: Double) -> String {
        String(format: "%.1f%%", ratio * 100)
    }
}
