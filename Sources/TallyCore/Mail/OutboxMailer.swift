import Foundation

/// Writes each message as an `.eml` file (mode 0640) into a directory, under a temporary name first.
public struct OutboxMailer: Mailer {
    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    public func send(_ message: EmailMessage) async throws -> MailDelivery {
        let stamp = message.date.formatted(.iso8601.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false).timeSeparator(.omitted).timeZone(separator: .omitted))
        let id = message.messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).split(separator: "@").first.map(String.init) ?? UUID().uuidString
        let name = "\(stamp)-\(MIMEEncoder.sanitizedFilename(id)).eml"
        let target = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try MIMEEncoder.encode(message).write(to: temporary)
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: temporary.path)
            guard rename(temporary.path, target.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw MailError(kind: .outbox, message: "cannot write the email to \(directory.path): \(error.localizedDescription); make REPORTS_DIR writable or set SMTP_URL")
        }
        return .outbox(target)
    }
}
