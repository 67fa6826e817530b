import Foundation
import Testing
@testable import TallyCore

@Suite("The reconciliation report's columns")
struct ReconciliationReportBadRowsTests {
    @Test("a bad-rows line leaves the token columns blank: a row count is not tokens")
    func badRowsHaveNoTokens() throws {
        // Given a night with a usage gap and a bad row
        let outcome = AlertDigestTests.outcome(AlertDigestTests.night1Gaps(), night: 0)
        // When the report is built
        let csv = try #require(String(data: ReconciliationReportBuilder(outcome: outcome).csvData, encoding: .utf8))
        let lines = csv.components(separatedBy: "\r\n")
        // Then the bad-rows line has nothing under Local, Stripe and Difference
        let bad = try #require(lines.first { $0.contains(",bad_rows,") })
        let fields = bad.components(separatedBy: ",")
        #expect(fields[5...7] == ["", "", ""], "\(bad)")
        // And a usage line keeps its tokens
        let usage = try #require(lines.first { $0.contains(",unreported,") })
        #expect(usage.components(separatedBy: ",")[5...7] == ["100", "0", "100"])
    }
}
