import Foundation
import Testing
import TallyCore

@Suite("Report paths")
struct ReportPathsTests {
    @Test("puts daily reports under YYYY-MM-DD and monthly ones under YYYY-MM, in UTC")
    func directories() {
        let paths = ReportPaths(root: URL(fileURLWithPath: "/srv/reports"))
        let late = utc("2026-11-30T23:30:00-05:00")  // already 1 December in UTC
        #expect(paths.dailyDirectory(for: late).path == "/srv/reports/2026-12-01")
        #expect(paths.monthlyDirectory(for: late).path == "/srv/reports/2026-12")
        #expect(paths.dailyFile("alerts.csv", for: utc("2026-01-05T00:00:00Z")).path == "/srv/reports/2026-01-05/alerts.csv")
        #expect(paths.outbox.path == "/srv/reports/outbox")
    }
}
