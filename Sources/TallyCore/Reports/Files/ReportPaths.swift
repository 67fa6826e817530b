import Foundation

/// Where reports go under `REPORTS_DIR`: `YYYY-MM-DD/` for daily jobs, `YYYY-MM/` for monthly ones
/// (UTC days and months), and `outbox/` for mail written to disk.
public struct ReportPaths: Sendable, Hashable {
    /// The `REPORTS_DIR` root.
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// `root/2026-11-24/` for the UTC day containing `date`.
    public func dailyDirectory(for date: Date) -> URL {
        root.appendingPathComponent(UTCCalendarText.day(date), isDirectory: true)
    }

    /// `root/2026-11/` for the UTC month containing `date`.
    public func monthlyDirectory(for date: Date) -> URL {
        root.appendingPathComponent(UTCCalendarText.month(date), isDirectory: true)
    }

    /// `root/2026-11-24/<fileName>`, e.g. `reconciliation.csv`.
    public func dailyFile(_ fileName: String, for date: Date) -> URL {
        dailyDirectory(for: date).appendingPathComponent(fileName, isDirectory: false)
    }

    /// `root/2026-11/<fileName>`, e.g. `finance.xlsx`.
    public func monthlyFile(_ fileName: String, for date: Date) -> URL {
        monthlyDirectory(for: date).appendingPathComponent(fileName, isDirectory: false)
    }

    /// `root/outbox/`, where emails are written when no SMTP server is configured.
    public var outbox: URL {
        root.appendingPathComponent("outbox", isDirectory: true)
    }
}
