import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each message as an `.eml` file into a directory, so a reader never sees half an email and a name
/// that survives a crash has all its bytes: the file goes to a hidden temporary name
/// (`.<name>.tmp-<pid>`, which `AtomicFileWriter.removeAbandonedTemporaryFiles` clears after a crash), is
/// flushed to disk and given mode 0640, renamed, and the directory is flushed so the name survives too.
///
/// One message goes through `AtomicFileWriter`. A batch pays the two disk flushes once: every file under its
/// temporary name, one flush of all of them, the renames, one flush of the directory. `tally-alerts` sends
/// tens of thousands of emails a night at 100,000 teams, and two flushes per email (about 4 ms here) would
/// be minutes.
public struct OutboxMailer: Mailer {
    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    public func send(_ message: EmailMessage) async throws -> MailDelivery {
        let target = directory.appendingPathComponent(Self.fileName(of: message))
        do {
            try await AtomicFileWriter().write(MIMEEncoder.encode(message), to: target)
        } catch let error as OutputError {
            throw failure(error.reason)
        }
        return .outbox(target)
    }

    public func send(_ messages: [EmailMessage]) async -> [Result<MailDelivery, any Error>] {
        guard !messages.isEmpty else { return [] }
        let files = messages.map { (name: Self.fileName(of: $0), data: MIMEEncoder.encode($0)) }
        let directory = self.directory
        let outcomes: [String?]
        do {
            outcomes = try await DedicatedThread.run(named: "tally-outbox-io") {
                try Self.writeBatch(files, into: directory)
            }
        } catch let error as MailError {
            return messages.map { _ in .failure(error) }
        } catch {
            return messages.map { _ in .failure(failure(String(describing: error))) }
        }
        return zip(files, outcomes).map { file, problem in
            if let problem { return .failure(failure(problem)) }
            return .success(.outbox(directory.appendingPathComponent(file.name)))
        }
    }

    /// `<date>-<message id>.eml`, so the outbox lists in the order the emails were written.
    static func fileName(of message: EmailMessage) -> String {
        let stamp = UTCCalendarText.instant(message.date).filter { $0 != "-" && $0 != ":" }
        var bracketed = Substring(message.messageID).drop(while: { $0 == "<" || $0 == ">" })
        while let last = bracketed.last, last == "<" || last == ">" { bracketed = bracketed.dropLast() }
        let id = bracketed.split(separator: "@").first.map(String.init) ?? UUID().uuidString
        return "\(stamp)-\(MIMEEncoder.sanitizedFilename(id)).eml"
    }

    private func failure(_ reason: String) -> MailError {
        MailError(kind: .outbox, message: "cannot write the email to \(directory.path): \(reason); make REPORTS_DIR writable or set SMTP_URL")
    }

    /// Writes the files of a batch; returns, per file, nil once it is in place or why it is not. Throws when
    /// nothing can be written (the directory) or flushed.
    private static func writeBatch(_ files: [(name: String, data: Data)], into directory: URL) throws -> [String?] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MailError(kind: .outbox, message: "cannot create the outbox \(directory.path): \(error.localizedDescription); make REPORTS_DIR writable or set SMTP_URL")
        }
        let folder = open(directory.path, O_RDONLY | O_CLOEXEC)
        guard folder >= 0 else { throw MailError(kind: .outbox, message: "cannot open the outbox \(directory.path): \(lastError()); make REPORTS_DIR writable or set SMTP_URL") }
        defer { close(folder) }

        let pid = getpid()
        var problems = [String?](repeating: nil, count: files.count)
        var written: [(index: Int, temporary: String, final: String)] = []
        for (index, file) in files.enumerated() {
            let final = directory.appendingPathComponent(file.name).path
            let temporary = directory.appendingPathComponent(".\(file.name).tmp-\(pid)").path
            if let problem = write(file.data, to: temporary, flushEach: fileSystemFlush == nil) {
                unlink(temporary)
                problems[index] = problem
            } else {
                written.append((index, temporary, final))
            }
        }
        // Every file's bytes reach the disk before any of them gets its name.
        if let flush = fileSystemFlush, !written.isEmpty, flush(folder) != 0 {
            let reason = lastError()
            for file in written { unlink(file.temporary) }
            throw MailError(kind: .outbox, message: "cannot flush the outbox \(directory.path) to disk: \(reason); make REPORTS_DIR writable or set SMTP_URL")
        }
        for file in written where rename(file.temporary, file.final) != 0 {
            problems[file.index] = lastError()
            unlink(file.temporary)
        }
        // The new names survive a crash too.
        fsync(folder)
        return problems
    }

    /// Writes `data` to a new file at `path` with mode 0640, flushing it when `flushEach`; nil when done.
    private static func write(_ data: Data, to path: String, flushEach: Bool) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return lastError() }
        defer { close(descriptor) }
        guard AtomicFileWriter.writeFully(data, to: descriptor), fchmod(descriptor, 0o640) == 0 else { return lastError() }
        if flushEach, fsync(descriptor) != 0 { return lastError() }
        return nil
    }

    /// Linux's `syncfs(2)`: flushes the file system holding a descriptor, every file of the batch at once.
    /// Looked up at run time (Glibc's module map leaves it out); where it is missing, each file is fsynced.
    private static let fileSystemFlush: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(nil, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
