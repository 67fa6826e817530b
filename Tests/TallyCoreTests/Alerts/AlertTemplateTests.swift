import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

@Suite("Usage alert templates and webhook signatures")
struct AlertTemplateTests {
    static let hostileName = "<script>alert('x')</script> & Co\r\nBcc: victim@evil.test"

    func notice(name: String = hostileName, level: UsageLevel = .warning) -> UsageNotice {
        UsageNotice(teamID: "1", teamName: name, threshold: 0.8, level: level, used: 812, allowance: 1_000,
                    period: TeamBillingPeriod(teamID: "1", start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd),
                    projectedLimitAt: nil)
    }

    @Test("a hostile team name is escaped in HTML and flattened in text; the subject cannot add a header")
    func hostileNames() throws {
        let templates = try AlertTemplateSet()
        let values = notice().templateValues

        let html = try templates.html.render(values)
        let text = try templates.text.render(values)
        let subject = LiveUsageNotifier.subjectLine(try templates.subject.render(values))

        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"))
        #expect(!text.contains("\r\nBcc:") && text.contains("Co Bcc: victim@evil.test has used 812"))
        let message = EmailMessage(from: EmailAddress(address: "tally@tally.test"), to: [EmailAddress(address: "ann@acme.test")],
                                   subject: subject, textBody: text, htmlBody: html)
        let parsed = try ParsedEmail.parse(MIMEEncoder.encode(message))
        #expect(parsed.header("Bcc") == nil)
        #expect(parsed.header("To") == "ann@acme.test")
        #expect(parsed.header("Subject")?.hasPrefix("<script>alert('x')</script> & Co Bcc: victim@evil.test has used 81.2 %") == true)
        #expect(parsed.html?.contains("<script>") == false)
    }

    @Test("sections show or hide by value; an unclosed section is a configuration error")
    func sections() throws {
        let template = AlertTemplate("{{#a}}A{{/a}}{{^a}}not A{{/a}}{{! note }}-{{b}}", escaping: .html)
        #expect(try template.render(["a": "yes", "b": "<b>"]) == "A-&lt;b&gt;")
        #expect(try template.render([:]) == "not A-")
        #expect(throws: AlertTemplateError.self) { try AlertTemplate("{{#a}}open", escaping: .text).render([:]) }
        #expect(AlertTemplateError(message: "x").exitStatus == .configuration)
    }

    @Test("each syntax error names what is wrong, whatever the values; a changed source is parsed again")
    func syntaxErrors() throws {
        let broken = [
            "{{#a}}open": "section {{#a}} is never closed",
            "{{#a}}x{{/b}}": "{{/b}} closes a section that is not open",
            "text {{name": "a tag opened with {{ is never closed",
            "{{#a}}{{^b}}x{{/b}}": "section {{#a}} is never closed",
        ]
        for (source, message) in broken {
            for values in [[:], ["a": "1", "b": "1"]] {
                #expect(throws: AlertTemplateError(message: message)) { try AlertTemplate(source, escaping: .text).render(values) }
            }
        }
        // Nested sections, text around tags, and a tag of spaces only (dropped) render as before
        let nested = AlertTemplate("<{{# a }}[{{^b}}no b{{/b}}{{ c }}]{{/a}}{{  }}>", escaping: .text)
        #expect(try nested.render(["a": "1", "c": "C"]) == "<[no bC]>")
        #expect(try nested.render(["b": "1"]) == "<>")
        var edited = AlertTemplate("{{#a}}open", escaping: .text)
        edited.source = "fixed {{a}}"
        #expect(try edited.render(["a": "now"]) == "fixed now")
    }

    @Test("a line holding only a section or comment tag leaves no empty line, shown or hidden")
    func standaloneTagLines() throws {
        let template = AlertTemplate("Hello,\n{{! why }}\n{{#a}}\nA is {{a}}.\n{{/a}}\n  {{^a}}\r\nNo A.\n{{/a}}\nBye {{#a}}x{{/a}}\n", escaping: .text)
        #expect(try template.render(["a": "1"]) == "Hello,\nA is 1.\nBye x\n")
        #expect(try template.render([:]) == "Hello,\nNo A.\nBye \n")
        #expect(try AlertTemplate("a\n{{#b}}b{{/b}}", escaping: .text).render([:]) == "a\n")
    }

    @Test("a template in ALERT_TEMPLATES_DIR replaces the built-in one of the same name")
    func userOverride() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("<p>Hi {{team}}, {{percent}}%</p>".utf8).write(to: directory.appendingPathComponent("usage-alert.html.mustache"))

        let templates = try AlertTemplateSet(directory: directory)

        #expect(try templates.html.render(notice(name: "<Acme>").templateValues) == "<p>Hi &lt;Acme&gt;, 81.2%</p>")
        #expect(templates.text == (try AlertTemplateSet()).text)
    }

    @Test("a webhook signature verifies for its body and timestamp only")
    func signature() {
        let body = Data(#"{"text":"Acme has used 80%"}"#.utf8)
        let secret = Secret("whsec_test")
        let signature = WebhookSignature.sign(body: body, timestamp: 1_767_225_600, secret: secret)
        #expect(signature.hasPrefix("sha256=") && signature.count == 7 + 64)
        #expect(WebhookSignature.verify(signature: signature, body: body, timestamp: 1_767_225_600, secret: secret))
        #expect(!WebhookSignature.verify(signature: signature, body: body + Data(" ".utf8), timestamp: 1_767_225_600, secret: secret))
        #expect(!WebhookSignature.verify(signature: signature, body: body, timestamp: 1_767_225_601, secret: secret))
        #expect(!WebhookSignature.verify(signature: signature, body: body, timestamp: 1_767_225_600, secret: Secret("other")))
    }
}
