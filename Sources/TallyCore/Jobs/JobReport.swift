/// What a use-case hands back to the runner: counts, a one-line summary, and whether a human must look.
public struct JobReport: Sendable, Equatable {
    public var itemsProcessed: Int
    public var itemsFailed: Int
    /// Findings a person must act on (an alert was sent): the run exits 1.
    public var needsHuman: Bool
    /// One line for the log and the run record. Never holds a secret.
    public var summary: String

    public init(itemsProcessed: Int = 0, itemsFailed: Int = 0, needsHuman: Bool = false, summary: String) {
        self.itemsProcessed = itemsProcessed
        self.itemsFailed = itemsFailed
        self.needsHuman = needsHuman
        self.summary = summary
    }

    /// 1 when a human is needed (including items that failed and were reported), else 0.
    public var exitStatus: ExitStatus { needsHuman || itemsFailed > 0 ? .needsHuman : .ok }
}
