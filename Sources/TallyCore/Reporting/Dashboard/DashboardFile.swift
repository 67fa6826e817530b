import Foundation
import Logging

/// `reports/index.html`: gathers the dashboard beside a report and writes it atomically, replacing the
/// previous page only once the new one is complete.
public enum DashboardFile {
    public static let fileName = "index.html"

    /// Gathers the dashboard for the report's `data` and writes it to `<root>/index.html` (logs instead
    /// when `dryRun`); returns the file's URL.
    @discardableResult
    public static func write(
        for data: ReportingData, store: any DashboardGatherer.Store, root: URL,
        files: AtomicFileWriter, dryRun: Bool, logger: Logger
    ) async throws -> URL {
        let url = root.appendingPathComponent(fileName, isDirectory: false)
        let dashboard = try await DashboardGatherer(reconciliations: store, deliveries: store, caps: store, calls: store).gather(data)
        let page = DashboardPage.render(dashboard)
        guard !dryRun else {
            logger.info("would write", metadata: ["file": "\(url.path)", "bytes": "\(page.utf8.count)"])
            return url
        }
        try await files.write(Data(page.utf8), to: url)
        logger.info("wrote", metadata: ["file": "\(url.path)", "bytes": "\(page.utf8.count)"])
        return url
    }
}
