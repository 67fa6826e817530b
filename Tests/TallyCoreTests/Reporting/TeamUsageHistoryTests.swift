import Foundation
import Testing
@testable import TallyCore

@Suite("A team's usage history CSV")
struct TeamUsageHistoryTests {
    @Test("lists every day of the range, zero days included, with the cost in the price's currency")
    func everyDay() throws {
        // Given three days of which Acme used tokens on two, at 2 cents per token
        let period = ReportPeriod(start: utc("2026-10-01T00:00:00Z"), end: utc("2026-10-04T00:00:00Z"))
        let price = MeteredUnitPrice(priceID: "price_tok_usd", currency: "usd", minorUnitsPerToken: 2)
        let usage = HandDataset.usage(in: period)

        // When the history is built
        let text = CSVWriter().text(for: TeamUsageHistory.table(period: period, usage: usage.filter { $0.teamID == "1" }, price: price))

        // Then each day has a row
        #expect(text == "Day,Tokens,Rows,Cost,Currency\r\n2026-10-01,300,4,6.00,USD\r\n2026-10-02,0,0,0.00,USD\r\n2026-10-03,0,0,0.00,USD\r\n")
    }

    @Test("without a metered price the cost is blank, never a guess")
    func noPrice() {
        let period = ReportPeriod(start: utc("2026-10-03T00:00:00Z"), end: utc("2026-10-04T00:00:00Z"))
        let text = CSVWriter().text(for: TeamUsageHistory.table(period: period, usage: HandDataset.usage(in: period), price: nil))
        #expect(text == "Day,Tokens,Rows,Cost,Currency\r\n2026-10-03,10,1,,\r\n")
    }

    @Test("a team id must be one safe path segment", arguments: [
        ("42", true), ("team_7-a", true), ("3f2b9c1e-0d4a-4c2e-9f1a-2b3c4d5e6f70", true),
        ("../etc", false), ("a/b", false), ("", false), (".", false), ("tëam", false),
    ])
    func safeSegments(teamID: String, safe: Bool) {
        #expect(TeamUsageHistory.isSafePathSegment(teamID) == safe)
    }
}
