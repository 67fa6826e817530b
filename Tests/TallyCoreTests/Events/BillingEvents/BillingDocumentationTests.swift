import Foundation
import Testing
@testable import TallyCore

/// The README's access queries and docs/webhooks.md's insert are the statements the tests run, so the
/// documentation cannot drift from what works.
@Suite("Billing documentation")
struct BillingDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the README prints the PostgreSQL access queries the tests run")
    func readmeQueries() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for query in [AccessQuery.hasFeatureAccess, .hasTokensRemaining, .getSubscriptionStatus] {
            #expect(readme.contains(query.text(for: .postgres)))
        }
    }

    @Test("docs/webhooks.md prints the inserts the app-style tests run")
    func webhookInserts() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/webhooks.md"), encoding: .utf8)
        #expect(page.contains("INSERT INTO stripe_events (event_id, event_type, processed, created_at, payload)\nVALUES ($1, $2, FALSE, $3, $4)\nON CONFLICT (event_id) DO NOTHING;"))
        #expect(page.contains("INSERT INTO stripe_event_queue (event_id, status, retry_count)\nVALUES ($1, 'pending', 0)\nON CONFLICT (event_id) DO NOTHING;"))
    }
}
