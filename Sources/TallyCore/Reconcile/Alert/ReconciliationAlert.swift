import Foundation

/// The discrepancy alert as a digest: what is NEW since the last alert (in full), what was RESOLVED, and
/// what is STILL OPEN (one line each with its age, in full again once a reminder is due), with problems
/// grouped by customer, team, meter and class over their days. Plain text and HTML say the same things;
/// the CSV of every discrepancy is attached.
///
/// Customer names come from Stripe and team names from the app: both are untrusted, so every value is
/// HTML-escaped and flattened to one line, and headers are left to `MIMEEncoder`, which encodes them
/// (RFC 2047) and refuses line breaks.
public struct ReconciliationAlert: Sendable {
    /// The names the alert prints instead of ids, where known.
    public struct Names: Sendable, Equatable {
        /// Stripe customer names by customer id.
        public var customers: [String: String]
        /// The app's team names by team id (`teams`).
        public var teams: [String: String]
        /// Stripe meter display names by meter id.
        public var meters: [String: String]
        /// The stored invoices the problems' usage may land on, linked where one covers a problem's days.
        public var invoices: InvoiceLinks

        public init(customers: [String: String] = [:], teams: [String: String] = [:], meters: [String: String] = [:],
                    invoices: InvoiceLinks = InvoiceLinks()) {
            self.customers = customers
            self.teams = teams
            self.meters = meters
            self.invoices = invoices
        }
    }

    public var outcome: ReconciliationOutcome
    public var digest: AlertDigest
    public var names: Names
    public var links: StripeDashboardLinks
    public var csv: Data

    public init(outcome: ReconciliationOutcome, digest: AlertDigest, names: Names = Names(),
                links: StripeDashboardLinks = StripeDashboardLinks(liveMode: false), csv: Data) {
        self.outcome = outcome
        self.digest = digest
        self.names = names
        self.links = links
        self.csv = csv
    }

    /// The digest of `outcome` against `announced`, with the one-line wording the ledger keeps.
    public static func digest(of outcome: ReconciliationOutcome, announced: [AnnouncedProblem], now: Date, remindDays: Int,
                              names: Names) -> AlertDigest {
        let wording = Wording(names: names)
        return AlertDigest(current: ProblemGroup.groups(outcome.discrepancies), announced: announced, now: now,
                           remindDays: remindDays, announceNew: outcome.needsHuman, judgedFrom: outcome.range.start,
                           line: wording.line)
    }

    /// The judged range, e.g. `2026-11-21 to 2026-11-24`.
    public var judgedRange: String {
        EmailWording.dayRange(from: outcome.range.requested.start, to: outcome.range.end)
    }

    /// Problems a person must look at (not repairable by `tally-retry`) among those open now.
    var needingPerson: [ProblemGroup] { ProblemGroup.groups(outcome.discrepancies).filter { $0.repair == .human } }

    /// E.g. `Tally: usage 2026-11-21 to 2026-11-24: 2 new problems, 1 resolved, 3 still open; 2 need a person`.
    public var subject: String {
        var parts: [String] = []
        if !digest.new.isEmpty { parts.append("\(EmailWording.count(digest.new.count, "new problem"))") }
        if !digest.resolved.isEmpty { parts.append("\(digest.resolved.count) resolved") }
        if !digest.stillOpen.isEmpty {
            parts.append("\(digest.stillOpen.count) still open" + (digest.reminded.isEmpty ? "" : " (reminder)"))
        }
        if parts.isEmpty { parts.append("no problems") }
        var text = "Tally: usage \(judgedRange): " + parts.joined(separator: ", ")
        let person = needingPerson.count
        if person > 0 { text += "; \(person) \(person == 1 ? "needs" : "need") a person" }
        if !outcome.failedCustomers.isEmpty {
            text += "; \(EmailWording.count(outcome.failedCustomers.count, "customer")) not compared"
        }
        return text
    }

    /// The message to `recipients`.
    public func message(from sender: EmailAddress, to recipients: [EmailAddress], date: Date) -> EmailMessage {
        EmailMessage(from: sender, to: recipients, subject: subject, textBody: text, htmlBody: html,
                     attachments: [EmailAttachment(filename: "reconciliation.csv", contentType: "text/csv", data: csv)],
                     date: date)
    }

    var wording: Wording { Wording(names: names) }

    var overview: [String] {
        let meters = outcome.meters.map { wording.meter($0.meterID) }.joined(separator: ", ")
        var result = [
            "Usage reconciliation of \(meters), \(judgedRange) (UTC, settled usage up to \(UTCCalendarText.instant(outcome.range.end))).",
            "Local usage \(EmailWording.number(outcome.localTotal)), Stripe \(EmailWording.number(outcome.stripeTotal)), "
                + "absolute discrepancy \(EmailWording.number(outcome.absoluteDiscrepancy))"
                + (outcome.ratio.map { " (\(EmailWording.percent($0)) of usage; the alert threshold is \(EmailWording.percent(outcome.alertRatio)))" }
                    ?? " (no local usage)") + ".",
        ]
        let bad = outcome.badRows
        if bad.total > 0 {
            // Every kind found, each with its own count: none may drop out of the sentence.
            let kinds = UsageProblem.allCases.filter { bad[$0] > 0 }.map { "\(EmailWording.count(Int(bad[$0]), "row")) with \($0.reason)" }
            result.append("Bad local rows skipped (never billed, listed in the report): \(kinds.joined(separator: "; ")).")
        }
        if !outcome.failedCustomers.isEmpty {
            result.append("\(EmailWording.count(outcome.failedCustomers.count, "customer")) could not be compared (Stripe errors, see the job log).")
        }
        let repairable = ProblemGroup.groups(outcome.repairable)
        let amount = outcome.repairable.reduce(Int64(0)) { $0 + abs($1.difference) }
        result.append(repairable.isEmpty
            ? "tally-retry can repair: nothing."
            : "tally-retry can repair: \(EmailWording.count(repairable.count, "problem")), \(EmailWording.number(amount)) tokens (never reported, or lost within Stripe's 24 h identifier window, and within 35 days). Run tally-retry.")
        let person = needingPerson.count
        result.append(person == 0 ? "Needs a person: nothing beyond the threshold check."
            : "Needs a person: \(EmailWording.count(person, "problem")), each with its suggested action below.")
        return result
    }

    static let fullHeaders = ["Customer", "Team", "Meter", "Class", "Days (UTC)", "Local", "Stripe", "Difference", "Suggested action", "Invoice"]
    static let lineHeaders = ["Problem", "Age"]

    /// The sections in order: title, one-line explanation, full rows and one-line rows.
    var sections: [(title: String, note: String, full: [ProblemGroup], lines: [(String, String)])] {
        var result: [(title: String, note: String, full: [ProblemGroup], lines: [(String, String)])] = []
        if !digest.new.isEmpty {
            result.append(("New since the last alert", "\(EmailWording.count(digest.new.count, "problem")) not announced before, or grown since (difference = local - Stripe).",
                           digest.new, []))
        }
        if !digest.resolved.isEmpty {
            result.append(("Resolved", "\(EmailWording.count(digest.resolved.count, "problem")) announced before and not found this time.",
                           [], digest.resolved.map { ($0.line, "first announced \(UTCCalendarText.day($0.firstSeen))") }))
        }
        if !digest.outOfRange.isEmpty {
            result.append(("No longer judged", "\(EmailWording.count(digest.outOfRange.count, "problem")) announced before whose days are now before the judged range: not checked again, neither resolved nor open (see the earlier reports).",
                           [], digest.outOfRange.map { ($0.line, "first announced \(UTCCalendarText.day($0.firstSeen))") }))
        }
        if !digest.stillOpen.isEmpty {
            let reminded = digest.reminded
            let note = reminded.isEmpty
                ? "\(EmailWording.count(digest.stillOpen.count, "problem")) announced before and not grown; each is sent in full again \(EmailWording.count(digest.remindDays, "day")) after it last was (RECONCILE_REMIND_DAYS)."
                : "\(EmailWording.count(reminded.count, "problem")) not grown for \(EmailWording.count(digest.remindDays, "day")) or more, in full again as a reminder (RECONCILE_REMIND_DAYS)."
            result.append(("Still open", note, reminded.map(\.group),
                           digest.stillOpen.filter { !$0.inFull }.map { (wording.line($0.group), digest.age(since: $0.firstSeen)) }))
        }
        return result
    }

    /// Rows listed per kind of row in a section; the attached CSV has every discrepancy, so a very bad
    /// night still sends a readable email.
    static let listedRows = 50

    /// `12 more problems in the attached reconciliation.csv.` when a section lists fewer than it has.
    static func more(_ section: (title: String, note: String, full: [ProblemGroup], lines: [(String, String)])) -> String? {
        let hidden = max(0, section.full.count - listedRows) + max(0, section.lines.count - listedRows)
        return hidden == 0 ? nil : "\(EmailWording.count(hidden, "more problem")) in the attached reconciliation.csv."
    }

    /// The plain-text alternative.
    public var text: String {
        var body = overview.joined(separator: "\n") + "\n"
        for section in sections {
            body += "\n\(section.title.uppercased())\n\(section.note)\n"
            for group in section.full.prefix(Self.listedRows) {
                let row = wording.cells(group, links: links)
                body += "* \(row[0].text), \(wording.teamPhrase(group.teamID)), \(row[2].text): \(row[3].text), \(row[4].text): "
                    + "local \(row[5].text), Stripe \(row[6].text), difference \(row[7].text). \(row[8].text)"
                    + (row[9].link.map { "\n  On \(row[9].text): \($0)" } ?? "") + "\n"
            }
            for (line, age) in section.lines.prefix(Self.listedRows) { body += "* \(line): \(age).\n" }
            if let more = Self.more(section) { body += more + "\n" }
        }
        body += "\nEvery discrepancy is in the attached reconciliation.csv.\n"
        return body
    }

    /// The HTML alternative: the same sentences and rows as the text, every value escaped.
    public var html: String {
        var body = overview.map(EmailHTML.paragraph).joined()
        for section in sections {
            body += EmailHTML.heading(section.title) + EmailHTML.paragraph(section.note)
            if !section.full.isEmpty {
                var rows = section.full.prefix(Self.listedRows).map { wording.cells($0, links: links) }
                var headers = Self.fullHeaders
                // The invoice column only where some row has an invoice to link: an empty column is noise.
                if rows.allSatisfy({ $0.last?.link == nil }) {
                    headers.removeLast()
                    rows = rows.map { Array($0.dropLast()) }
                }
                body += EmailHTML.table(headers: headers, rows: rows)
            }
            if !section.lines.isEmpty {
                body += EmailHTML.table(headers: Self.lineHeaders, rows: section.lines.prefix(Self.listedRows).map { [EmailHTML.Cell($0.0), EmailHTML.Cell($0.1)] })
            }
            if let more = Self.more(section) { body += EmailHTML.paragraph(more) }
        }
        body += EmailHTML.paragraph("Every discrepancy is in the attached reconciliation.csv.")
        return EmailHTML.document(title: subject, body: body)
    }

    /// How a problem is named: customer and team names with their ids, the meter's display name.
    struct Wording {
        var names: Names

        func customer(_ id: String?) -> String {
            guard let id else { return "no Stripe customer" }
            return names.customers[id].map { "\(EmailWording.oneLine($0)) (\(id))" } ?? id
        }

        func team(_ id: String?) -> String {
            guard let id else { return "none" }
            return names.teams[id].map { "\(EmailWording.oneLine($0)) (\(id))" } ?? id
        }

        /// `team Stark & Sons (6)`, `no team`.
        func teamPhrase(_ id: String?) -> String {
            id == nil ? "no team" : "team \(team(id))"
        }

        func meter(_ id: String) -> String {
            names.meters[id].map { "\(EmailWording.oneLine($0)) (\(id))" } ?? id
        }

        func days(_ group: ProblemGroup) -> String {
            let range = EmailWording.dayRange(from: group.start, to: group.end)
            return group.windows == 1 ? range : "\(range), \(EmailWording.count(group.windows, "window"))"
        }

        /// One line naming the problem and its total.
        func line(_ group: ProblemGroup) -> String {
            if group.kind == .badRows {
                return "\(group.kind.label): \(EmailWording.count(Int(group.difference), "row")) with \(ProblemGroup.badRowReason(group.action))"
            }
            return "\(customer(group.customerID)), \(teamPhrase(group.teamID)), \(group.kind.label), \(days(group)), "
                + "difference \(EmailWording.number(group.difference))"
        }

        func cells(_ group: ProblemGroup, links: StripeDashboardLinks) -> [EmailHTML.Cell] {
            // Bad rows are counted in rows, usage in the meter's unit.
            let amount = { (value: Int64) in
                group.kind == .badRows ? EmailWording.count(Int(value), "row") : EmailWording.number(value)
            }
            return [
                EmailHTML.Cell(customer(group.customerID), link: group.customerID.map(links.customer)),
                EmailHTML.Cell(team(group.teamID)),
                EmailHTML.Cell(meter(group.meterID), link: links.meter(group.meterID)),
                EmailHTML.Cell(group.kind.label),
                EmailHTML.Cell(days(group)),
                EmailHTML.Cell(amount(group.localValue), numeric: true),
                EmailHTML.Cell(amount(group.stripeValue), numeric: true),
                EmailHTML.Cell(amount(group.difference), numeric: true),
                EmailHTML.Cell(EmailWording.oneLine(group.action)),
                invoiceCell(group, links: links),
            ]
        }

        /// The invoice the group's usage lands on, linked, where exactly one stored invoice covers its days;
        /// empty otherwise (never a guess).
        func invoiceCell(_ group: ProblemGroup, links: StripeDashboardLinks) -> EmailHTML.Cell {
            guard group.kind != .badRows,
                  let invoice = names.invoices.invoice(customerID: group.customerID, from: group.start, to: group.end)
            else { return EmailHTML.Cell("") }
            return EmailHTML.Cell(InvoiceLinks.label(invoice), link: links.invoice(invoice.invoiceID))
        }
    }
}
