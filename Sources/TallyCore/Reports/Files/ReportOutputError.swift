/// A report (CSV, workbook, or its directory) could not be written; the job exits 73.
public struct ReportOutputError: TallyFailure, Equatable {
    /// The file or directory that could not be written.
    public var path: String
    /// What went wrong, e.g. `Permission denied`.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var exitStatus: ExitStatus { .cannotCreateOutput }

    public var description: String {
        "\(path) is not writable: \(reason); set REPORTS_DIR to a writable directory"
    }

    /// The same failure reported against another path (the final name rather than the temporary one).
    func reported(at otherPath: String) -> ReportOutputError {
        ReportOutputError(path: otherPath, reason: reason)
    }
}
