import Foundation

/// What a reconciliation alert tells compared with the last one sent: the problems that are NEW (or whose
/// total changed), those RESOLVED since, and those STILL OPEN. Still-open problems get one line with
/// their age, and are sent in full again only once `RECONCILE_REMIND_DAYS` have passed since they last were,
/// so the two runs of a night (before and after `tally-retry`) never send the same table twice.
public struct AlertDigest: Sendable, Equatable {
    /// A problem still open, with when it was first announced.
    public struct OpenProblem: Sendable, Equatable {
        public var group: ProblemGroup
        public var firstSeen: Date
        /// Due for a reminder: sent in full again.
        public var inFull: Bool
    }

    /// New since the last alert, or changed (another total): sent in full.
    public var new: [ProblemGroup]
    /// Announced before, inside the judged range, and gone now.
    public var resolved: [AnnouncedProblem]
    /// Announced before and now wholly before the judged range: no longer checked, so neither resolved
    /// nor open; named once and dropped from the ledger.
    public var outOfRange: [AnnouncedProblem]
    public var stillOpen: [OpenProblem]
    /// What the ledger holds once this digest is sent.
    public var ledger: [AnnouncedProblem]
    public var now: Date
    public var remindDays: Int

    /// - Parameters:
    ///   - current: the problems this run found.
    ///   - announced: the ledger, as the last sent alert left it.
    ///   - announceNew: whether this run alerts at all (over the threshold, or something needs a person).
    ///     When not, new problems are neither announced nor recorded, but what was announced and is gone is
    ///     still reported resolved.
    ///   - line: the one line naming a problem, kept in the ledger for the "resolved" section.
    ///   - judgedFrom: the start of the judged range.
    public init(current: [ProblemGroup], announced: [AnnouncedProblem], now: Date, remindDays: Int, announceNew: Bool,
                judgedFrom: Date, line: (ProblemGroup) -> String) {
        self.now = now
        self.remindDays = remindDays
        let previous = Dictionary(announced.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let currentKeys = Set(current.map(\.key))
        var new: [ProblemGroup] = []
        var stillOpen: [OpenProblem] = []
        var ledger: [AnnouncedProblem] = []
        for group in current {
            guard let before = previous[group.key] else {
                if announceNew {
                    new.append(group)
                    ledger.append(AnnouncedProblem(key: group.key, line: line(group), total: group.difference, end: group.end, firstSeen: now, announcedAt: now))
                }
                continue
            }
            // A larger total is news (the problem grew); a smaller or equal one is the same problem still
            // open, as the judged range slides night by night.
            if group.difference.magnitude > before.total.magnitude && announceNew {
                new.append(group)
                ledger.append(AnnouncedProblem(key: group.key, line: line(group), total: group.difference,
                                               end: group.end, firstSeen: before.firstSeen, announcedAt: now))
                continue
            }
            let due = EmailWording.calendarDays(from: before.announcedAt, to: now) >= remindDays
            stillOpen.append(OpenProblem(group: group, firstSeen: before.firstSeen, inFull: due))
            var kept = before
            if due { kept.announcedAt = now }
            kept.line = line(group)
            kept.end = max(kept.end, group.end)
            ledger.append(kept)
        }
        self.new = new
        self.stillOpen = stillOpen
        let gone = announced.filter { !currentKeys.contains($0.key) }
        self.resolved = gone.filter { $0.end > judgedFrom }
        self.outOfRange = gone.filter { $0.end <= judgedFrom }
        self.ledger = ledger.sorted { $0.key < $1.key }
    }

    /// Whether there is anything to send: something new or resolved, or a reminder due.
    public var hasNews: Bool { !new.isEmpty || !resolved.isEmpty || stillOpen.contains(where: \.inFull) }

    /// Still-open problems sent in full as a reminder.
    public var reminded: [OpenProblem] { stillOpen.filter(\.inFull) }

    /// `open 3 days (since 2026-11-26)`, `first announced today`.
    public func age(since firstSeen: Date) -> String {
        let days = EmailWording.calendarDays(from: firstSeen, to: now)
        return days == 0 ? "first announced today" : "open \(EmailWording.count(days, "day")) (since \(UTCCalendarText.day(firstSeen)))"
    }
}
