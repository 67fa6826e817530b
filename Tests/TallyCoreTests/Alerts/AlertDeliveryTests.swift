import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// Real receivers: an SMTP server (aiosmtpd) and a webhook endpoint that checks the signature itself.
@Suite("tally-alerts delivery to a real SMTP server and a signed webhook", .serialized)
struct AlertDeliveryTests {
    @Test("a real SMTP server receives the owners' email, HTML and plain text, with the hostile name neutralised")
    func smtpDelivery() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        try await AlertsScenario.run(on: .sqlite, teamName: "Evil <b>Corp</b>\r\nBcc: x@evil.test") { scenario in
            try await scenario.subscribe()
            try await scenario.use(960)

            let summary = try await scenario.run(mailer: SMTPMailer(url: Secret(server.url)))

            #expect(summary.delivered >= 2 && summary.failed == 0)
            let received = try server.receivedMessages().map(ParsedEmail.parse)
            #expect(received.count == 1)
            let email = try #require(received.first)
            #expect(email.header("To") == "ann@acme.test")
            #expect(email.header("Bcc") == nil)
            #expect(email.header("Subject")?.hasPrefix("Urgent: Evil <b>Corp</b> Bcc: x@evil.test has used 96.") == true)
            #expect(email.html?.contains("Evil &lt;b&gt;Corp&lt;/b&gt;") == true)
            #expect(email.text?.contains("has used 960 of the 1,000 tokens") == true)
        }
    }

    @Test("the team's webhook receives a signed Slack-compatible message, alongside the email")
    func signedWebhook() async throws {
        let receiver = try await WebhookReceiver.start(secret: "whsec_acme")
        defer { receiver.stop() }
        try await AlertsScenario.run(on: .sqlite) { scenario in
            try await scenario.subscribe()
            try await scenario.store.saveTeamWebhook(TeamWebhook(teamID: "1", url: receiver.url, secret: Secret("whsec_acme")))
            try await scenario.use(810)

            let summary = try await scenario.run()

            #expect(summary.failed == 0)
            let deliveries = try receiver.deliveries()
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.valid == true)
            #expect(deliveries.first?.text.hasPrefix("Acme has used 810 of 1,000 tokens (81.0 %) this billing period.") == true)
            #expect(deliveries.first?.timestamp == String(Int64(scenario.clock.now().timeIntervalSince1970)))
            #expect(try await scenario.ledger().filter { $0.key.channel == .webhook }.allSatisfy { $0.status == .sent })
        }
    }

    @Test("a webhook the receiver rejects stays due, and the email still goes out")
    func rejectedWebhook() async throws {
        let receiver = try await WebhookReceiver.start(secret: "whsec_rotated")
        defer { receiver.stop() }
        try await AlertsScenario.run(on: .sqlite) { scenario in
            try await scenario.subscribe()
            try await scenario.store.saveTeamWebhook(TeamWebhook(teamID: "1", url: receiver.url, secret: Secret("whsec_old")))
            try await scenario.use(810)

            let summary = try await scenario.run()

            #expect(summary.failed == 1 && summary.jobReport.exitStatus == .needsHuman)
            #expect(try receiver.deliveries().map(\.valid) == [false])
            #expect(try scenario.emails().count == 1)
            let webhook = try await scenario.ledger().filter { $0.key.channel == .webhook }
            #expect(webhook.allSatisfy { $0.status == .failed && $0.lastError?.contains("HTTP 401") == true })
            #expect(webhook.allSatisfy { $0.lastError?.contains("whsec") == false })

            // The team fixes its secret: the next run delivers what was due, once.
            try await scenario.store.saveTeamWebhook(TeamWebhook(teamID: "1", url: receiver.url, secret: Secret("whsec_rotated")))
            let retried = try await scenario.run()
            #expect(retried.failed == 0 && retried.delivered == 1)
            #expect(try receiver.deliveries().map(\.valid) == [false, true])
            #expect(try scenario.emails().count == 1)
        }
    }
}
