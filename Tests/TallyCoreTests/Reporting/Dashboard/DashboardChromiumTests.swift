import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// `reports/index.html` rendered by a real browser: headless Chromium opens the file from disk, its DOM is
/// checked against the seeded store, and its net log must show no request by the page.
@Suite("The dashboard page in headless Chromium")
struct DashboardChromiumTests {
    /// Renders the dashboard of the seeded SQLite store into a scratch directory, as `tally-report` writes it.
    static func writePage() async throws -> (page: URL, failedInStore: Int) {
        let directory = try makeScratchDirectory()
        return try await StoreBackendUnderTest.sqlite.withStore(
            prepare: { try await SampleAppDatabase.create(at: $0, app: DashboardFixture.app) }
        ) { store, location in
            try await DashboardFixture.seed(store, at: location)
            let url = try await DashboardFile.write(
                for: try await DashboardFixture.reportData(store), store: store, root: directory, files: AtomicFileWriter(),
                dryRun: false, logger: .init(label: "test"))
            return (url, try await store.deliveries(status: .failed).count)
        }
    }

    /// The text of the element with `id` in a dumped DOM.
    static func text(of id: String, in dom: String) -> String? {
        guard let open = dom.range(of: "id=\"\(id)\">"), let close = dom.range(of: "<", range: open.upperBound..<dom.endIndex)
        else { return nil }
        return String(dom[open.upperBound..<close.lowerBound])
    }

    @Test("the key figures in the browser's DOM are the store's")
    func keyFigures() async throws {
        let (page, failedInStore) = try await Self.writePage()
        #expect(page.lastPathComponent == "index.html")
        let dom = try await HeadlessChromium.run(page, arguments: ["--dump-dom"]).stdout
        #expect(Self.text(of: "local-tokens", in: dom) == "3,600")
        #expect(Self.text(of: "stripe-tokens", in: dom) == "3,500")
        #expect(Self.text(of: "token-difference", in: dom) == "100")
        #expect(Self.text(of: "failed-deliveries", in: dom) == String(failedInStore))
        #expect(Self.text(of: "failed-delivery-tokens", in: dom) == "500")
        #expect(Self.text(of: "open-discrepancies", in: dom) == "2")
        #expect(Self.text(of: "discrepancies-unreported", in: dom) == "2")
        #expect(Self.text(of: "failed-payments", in: dom) == "1")
        #expect(Self.text(of: "new-subscriptions", in: dom) == "1")  // Yamada KK started Oct 10
        #expect(Self.text(of: "churned-subscriptions", in: dom) == "1")  // the hostile team cancelled Oct 20
        #expect(Self.text(of: "invoiced-usd", in: dom) == "70.00 USD")
        #expect(Self.text(of: "invoiced-jpy", in: dom) == "3,700 JPY")
        #expect(Self.text(of: "api-calls", in: dom) == "8")
        #expect(Self.text(of: "api-errors", in: dom) == "3")
        #expect(Self.text(of: "api-rate-limited", in: dom) == "1")
        #expect(Self.text(of: "api-p95", in: dom) == "1000.0 ms")
        // Names, escaped once: the browser shows "Stark & Sons", the hostile name stays text.
        #expect(dom.contains("Stark &amp; Sons"))
        #expect(dom.contains("8,790 of 10,000 (87.9 %)"))
        #expect(dom.contains("1,200 of 1,000 (120.0 %), blocked"))
        #expect(dom.contains("<td>=HYPERLINK(\"http://evil.example\",\"x\")</td>"))  // text, not a link
        #expect(dom.components(separatedBy: "<svg").count - 1 == 4)  // the 30 days, JPY, USD, plan usage
    }

    @Test("the page makes no network request: no script, no remote asset, nothing in Chromium's net log")
    func noNetwork() async throws {
        let (page, _) = try await Self.writePage()
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.localizedCaseInsensitiveContains("<script"))
        #expect(!html.localizedCaseInsensitiveContains("<link"))
        #expect(!html.contains("@import") && !html.contains("url("))
        // Nothing to fetch or follow: no src or href at all (the hostile team name's URL is escaped text)
        #expect(!html.contains("src=") && !html.contains("href="))
        #expect(html.contains("=HYPERLINK(&quot;http://evil.example&quot;"))
        let run = try await HeadlessChromium.run(page, arguments: ["--dump-dom"])
        #expect(run.pageRequests == [])
    }

    @Test("the net-log check sees a request when a page makes one")
    func detectorSeesRequests() async throws {
        let page = try makeScratchDirectory().appendingPathComponent("remote.html")
        try Data(#"<!DOCTYPE html><html><body><img src="https://assets.example.invalid/x.png"></body></html>"#.utf8).write(to: page)
        let run = try await HeadlessChromium.run(page, arguments: ["--dump-dom"])
        #expect(run.pageRequests == ["https://assets.example.invalid/x.png"])
    }

    @Test("a screenshot of the page is a real PNG")
    func screenshot() async throws {
        let (page, _) = try await Self.writePage()
        let png = page.deletingLastPathComponent().appendingPathComponent("dashboard.png")
        _ = try await HeadlessChromium.run(page, arguments: ["--screenshot=\(png.path)", "--window-size=1100,2600"])
        let data = try Data(contentsOf: png)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(data.count > 20_000)
    }
}
