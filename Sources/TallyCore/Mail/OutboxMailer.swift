import Foundation

/// Writes each message as an `.eml` file into a directory through `AtomicFileWriter` (temporary name,
/// fsync, mode 0640, rename), so a reader never sees half an email.
public struct OutboxMailer: Mailer {
    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    public func send(_ message: EmailMessage) async throws -> MailDelivery {
        let stamp = UTCCalendarText.instant(message.date).filter { $0 != "-" && $0 != ":" }
        let id = message.messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).split(separator: "@").first.map(String.init) ?? UUID().uuidString
        let name = "\(stamp)-\(MIMEEncoder.sanitizedFilename(id)).eml"
        let target = directory.appendingPathComponent(name)
        do {
            try await AtomicFileWriter().write(MIMEEncoder.encode(message), to: target)
        } catch let error as OutputError {
            throw MailError(kind: .outbox, message: "cannot write the email to \(directory.path): \(error.reason); make REPORTS_DIR writable or set SMTP_URL")
        }
        return .outbox(target)
    }
}
