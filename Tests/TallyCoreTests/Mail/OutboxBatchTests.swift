import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// The outbox's batch: the guarantees of one email (complete files under their final names, mode 0640, no
/// temporary file left) for many at once, and one email's failure never taking the others down.
@Suite("Outbox batches: every email complete under its name, one failure alone")
struct OutboxBatchTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-outbox-batch-\(UUID().uuidString)")

    func message(_ number: Int) -> EmailMessage {
        EmailMessage(from: EmailAddress(name: "Tally", address: "tally@example.com"),
                     to: [EmailAddress(address: "owner\(number)@example.com")], subject: "Notice \(number)",
                     textBody: "Team \(number) has used 85 % of its plan.", htmlBody: "<p>Team \(number)</p>",
                     date: Date(timeIntervalSince1970: 1_795_000_000), messageID: "<notice-\(number)@example.com>")
    }

    @Test("a batch of 200 emails lands as 200 complete .eml files, mode 0640, with no temporary file left")
    func batchLands() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given 200 messages
        let messages = (1...200).map(message)

        // When the outbox writes them as one batch
        let results = await OutboxMailer(directory: directory).send(messages)

        // Then each is delivered to its own file, complete and readable by owner and group only
        let files = try results.map { result -> URL in
            guard case .outbox(let file) = try result.get() else { throw MailError(kind: .outbox, message: "not the outbox") }
            return file
        }
        #expect(Set(files).count == 200)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == files.map(\.lastPathComponent).sorted())
        for (number, file) in zip(1..., files) {
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o640)
            let email = try ParsedEmail.parse(Data(contentsOf: file))
            #expect(email.header("To") == "owner\(number)@example.com")
            #expect(email.text?.contains("Team \(number) has used 85 %") == true)
        }
    }

    @Test("an email whose name is taken fails alone; the rest of the batch is written")
    func oneFailureAlone() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a directory squatting on the second message's file name
        let messages = (1...3).map(message)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(OutboxMailer.fileName(of: messages[1])),
                                                withIntermediateDirectories: true)

        // When the batch is written
        let results = await OutboxMailer(directory: directory).send(messages)

        // Then the second fails as an outbox error (73) naming the outbox; the first and third are delivered
        #expect((try? results[0].get()) != nil && (try? results[2].get()) != nil)
        #expect(throws: MailError.self) { try results[1].get() }
        if case .failure(let error as MailError) = results[1] {
            #expect(error.exitStatus == .cannotCreateOutput && error.description.contains(directory.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test("an outbox that cannot be created fails every email of the batch with exit 73, naming REPORTS_DIR")
    func unwritableOutbox() async throws {
        // Given a file where the outbox directory should be
        let blocker = directory
        try Data().write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }

        // When a batch is written under it
        let results = await OutboxMailer(directory: blocker.appendingPathComponent("outbox")).send((1...3).map(message))

        // Then every message fails as an outbox error that says what to fix
        #expect(results.count == 3)
        for result in results {
            guard case .failure(let error as MailError) = result else { Issue.record("expected a MailError"); continue }
            #expect(error.exitStatus == .cannotCreateOutput)
            #expect(error.description.contains(blocker.path) && error.description.contains("REPORTS_DIR"))
        }
    }
}
