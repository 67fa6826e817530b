import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

@Suite("Email: MIME that real parsers read, headers safe against injection, outbox and SMTP delivery")
struct MailTests {
    let csv = Data("customer,difference\ncus_1,-42\n".utf8)

    func message(subject: String = "Tally: 3 discrepancies, 1.2% of usage", name: String = "Billing Ops") -> EmailMessage {
        EmailMessage(
            from: EmailAddress(name: "Tally", address: "tally@example.com"),
            to: [EmailAddress(name: name, address: "ops@example.com")],
            subject: subject,
            textBody: "Largest gaps:\ncus_1  -42 tokens\nA line that is quite long " + String(repeating: "x", count: 120),
            htmlBody: "<table><tr><td>cus_1</td><td>-42</td></tr></table>",
            attachments: [EmailAttachment(filename: "reconciliation.csv", contentType: "text/csv", data: csv)],
            date: Date(timeIntervalSince1970: 1_795_000_000))
    }

    @Test("a message parses back with its subject, both alternatives and the attachment intact")
    func roundTrip() throws {
        let parsed = try ParsedEmail.parse(MIMEEncoder.encode(message()))
        #expect(parsed.defects.isEmpty)
        #expect(parsed.header("Subject") == "Tally: 3 discrepancies, 1.2% of usage")
        #expect(parsed.header("From") == "Tally <tally@example.com>")
        #expect(parsed.header("To") == "Billing Ops <ops@example.com>")
        #expect(parsed.text?.contains("cus_1  -42 tokens") == true)
        #expect(parsed.text?.contains(String(repeating: "x", count: 120)) == true)
        #expect(parsed.html?.contains("<td>-42</td>") == true)
        #expect(parsed.attachments.count == 1)
        #expect(parsed.attachments.first?.filename == "reconciliation.csv")
        #expect(parsed.attachments.first.flatMap { Data(base64Encoded: $0.content) } == csv)
    }

    @Test("non-ASCII subjects and names are RFC 2047 encoded and decode to the original")
    func encodedWords() throws {
        let subject = "Überschreitung: 95 % des Kontingents für Équipe Zürich 🚨 " + String(repeating: "ü", count: 40)
        let parsed = try ParsedEmail.parse(MIMEEncoder.encode(message(subject: subject, name: "Zoë Ærø")))
        #expect(parsed.header("Subject") == subject)
        #expect(parsed.header("To")?.contains("Zoë Ærø") == true)
        #expect(parsed.defects.isEmpty)
    }

    @Test("CR/LF in a subject or name cannot add a header or a recipient", arguments: [
        "Acme\r\nBcc: attacker@evil.example", "Acme\nX-Injected: yes", "Acme\r\n\r\n<script>alert(1)</script>",
    ])
    func headerInjection(hostile: String) throws {
        let parsed = try ParsedEmail.parse(MIMEEncoder.encode(message(subject: "Usage alert for \(hostile)", name: hostile)))
        #expect(parsed.headers["bcc"] == nil)
        #expect(parsed.headers["x-injected"] == nil)
        #expect(parsed.header("To")?.contains("ops@example.com") == true)
        #expect(parsed.headers["to"]?.count == 1)
        #expect(parsed.text?.contains("Largest gaps") == true)
    }

    @Test("addresses with line breaks or without a domain are refused at parse time")
    func addressParsing() {
        #expect(EmailAddress(parsing: "Ops <ops@example.com>") == EmailAddress(name: "Ops", address: "ops@example.com"))
        #expect(EmailAddress(parsing: "ops@example.com") == EmailAddress(address: "ops@example.com"))
        #expect(EmailAddress(parsing: "ops@example.com\r\nBcc: x@y.z") == nil)
        #expect(EmailAddress(parsing: "nobody") == nil)
    }

    @Test("an address is valid exactly when it matches local@domain without white space or <>,;\"\\()[]")
    func addressRule() {
        let pattern = #"^[^\s@<>,;"\\()\[\]]+@[^\s@<>,;"\\()\[\]]+$"#
        let candidates = ["ops@example.com", "a@b", "@b", "a@", "a@@b", "a@b@c", "a b@c", "a@b c", "a\u{A0}@b", 
                          "a\u{2029}@b", "a\t@b", "a\u{0B}@b", "a\u{85}@b", "a\u{0C}@b", "<a@b>", "a,b@c", "a;b@c", "\"a\"@b",
                          "a\\b@c", "a(b)@c", "a[b]@c", "zoë@exämple.test", "a@b.c.d", "", "@", "a\u{3000}@b", "a\u{200B}@b",
                          "a\r@b", "a\n@b", "a\u{1680}@b", "x+tag@y.z"]
        for candidate in candidates {
            let expected = candidate.range(of: pattern, options: .regularExpression) != nil
            #expect(EmailAddress.isValidAddress(candidate) == expected, "\(candidate.debugDescription)")
        }
        // The pattern's `$` lets a final line break through; the check does not.
        #expect(!EmailAddress.isValidAddress("a@b\u{2028}") && !EmailAddress.isValidAddress("a@b\n"))
    }

    @Test("without SMTP the email lands in the outbox as a complete .eml readable only by owner and group")
    func outbox() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-outbox-\(UUID().uuidString)")
        let delivery = try await OutboxMailer(directory: directory).send(message())
        guard case .outbox(let file) = delivery else { Issue.record("expected the outbox"); return }
        #expect(file.pathExtension == "eml")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o640)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == [file.lastPathComponent])
        #expect(try ParsedEmail.parse(Data(contentsOf: file)).attachments.count == 1)
    }

    @Test("an unwritable outbox is a clear error that exits 73")
    func unwritableOutbox() async throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("tally-blocker-\(UUID().uuidString)")
        try Data().write(to: blocker)
        await #expect(throws: MailError.self) { try await OutboxMailer(directory: blocker.appendingPathComponent("outbox")).send(message()) }
        do {
            _ = try await OutboxMailer(directory: blocker.appendingPathComponent("outbox")).send(message())
        } catch let error as MailError {
            #expect(error.exitStatus == .cannotCreateOutput)
            #expect(error.description.contains(blocker.path))
        }
    }

    @Test("a real SMTP server receives the message with its attachment")
    func smtpDelivery() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let delivery = try await SMTPMailer(url: Secret(server.url)).send(message())
        #expect(delivery == .sent(server: "127.0.0.1:\(server.port)"))
        let received = try server.receivedMessages()
        #expect(received.count == 1)
        let parsed = try ParsedEmail.parse(received[0])
        #expect(parsed.header("Subject") == "Tally: 3 discrepancies, 1.2% of usage")
        #expect(parsed.attachments.first?.filename == "reconciliation.csv")
    }

    @Test("an unreachable SMTP server is 'unavailable' (69) and the password never shows")
    func smtpUnreachable() async throws {
        let port = try FreePort.find()
        do {
            _ = try await SMTPMailer(url: Secret("smtp://mailer:s3cretPassw0rd@127.0.0.1:\(port)"), timeout: 5).send(message())
            Issue.record("expected a failure")
        } catch let error as MailError {
            #expect(error.exitStatus == .unavailable)
            #expect(!error.description.contains("s3cretPassw0rd"))
            #expect(error.description.contains("127.0.0.1:\(port)"))
        }
    }
}
