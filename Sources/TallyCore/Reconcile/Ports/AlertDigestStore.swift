import Foundation

/// The ledger of what the reconciliation alert last announced (`tally_alert_digest`), so the next alert
/// says only what changed: what is new, what was resolved, and what is still open.
public protocol AlertDigestStore: Sendable {
    /// Every problem the last sent alert announced, ordered by key.
    func announcedProblems() async throws -> [AnnouncedProblem]

    /// Replaces the ledger with `problems` in one transaction (after an alert was sent).
    func replaceAnnouncedProblems(_ problems: [AnnouncedProblem]) async throws
}

/// One problem (a customer, team, meter and class of gap) as an alert last announced it.
public struct AnnouncedProblem: Sendable, Equatable {
    /// `ProblemGroup.key`: meter, class, customer and team (and the kind of bad row).
    public var key: String
    /// The one line that named it, for the "resolved" section once it is gone.
    public var line: String
    /// Its total (tokens, or rows for bad rows) when last announced: a different total is news.
    public var total: Int64
    /// The end (exclusive) of the last day it covered: once the judged range starts after it, it is no
    /// longer checked, and its absence means nothing.
    public var end: Date
    /// When an alert first announced it: its age counts from here.
    public var firstSeen: Date
    /// When it was last sent in full: it is sent in full again `RECONCILE_REMIND_DAYS` later.
    public var announcedAt: Date

    public init(key: String, line: String, total: Int64, end: Date, firstSeen: Date, announcedAt: Date) {
        self.key = key
        self.end = end
        self.line = line
        self.total = total
        self.firstSeen = firstSeen
        self.announcedAt = announcedAt
    }
}
