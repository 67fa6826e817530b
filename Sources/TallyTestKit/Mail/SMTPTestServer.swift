import Foundation
import Synchronization

/// A real SMTP server for tests: Debian's aiosmtpd (`python3-aiosmtpd`) on a free loopback port, storing
/// every message it accepts in a Maildir that the test reads back.
public final class SMTPTestServer: Sendable {
    public let port: Int
    public let maildir: URL
    private let process: SpawnedProcess
    private let stopped = Atomic<Bool>(false)

    /// The interpreter that has Debian's python3-aiosmtpd; pyenv's `python3` earlier on PATH does not.
    public static let python = "/usr/bin/python3"

    private init(port: Int, maildir: URL, process: SpawnedProcess) {
        self.port = port
        self.maildir = maildir
        self.process = process
    }

    /// `smtp://127.0.0.1:PORT`, for `SMTP_URL`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Starts a server and waits until it accepts connections. Throws a message saying how to install it
    /// when aiosmtpd is missing, so a CI run fails loudly instead of skipping.
    public static func start() async throws -> SMTPTestServer {
        // aiosmtpd's Mailbox handler creates the Maildir (new/, cur/, tmp/) only when the folder is absent.
        let maildir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-smtp-\(UUID().uuidString)")
        for attempt in 0..<5 {
            let port = try FreePort.find()
            let process: SpawnedProcess
            do {
                process = try SpawnedProcess.spawn(python, arguments: [
                    "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir.path])
            } catch {
                throw TestEnvironmentError("cannot start \(python) -m aiosmtpd (\(error)): run `apt-get install python3-aiosmtpd`")
            }
            for _ in 0..<100 {
                if FreePort.isListening(port) { return SMTPTestServer(port: port, maildir: maildir, process: process) }
                if Glibc.kill(process.pid, 0) != 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.stop()
            if attempt == 4 { break }
        }
        throw TestEnvironmentError("aiosmtpd did not start listening: run `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2525` to see why (apt-get install python3-aiosmtpd)")
    }

    /// Every message received so far, raw.
    public func receivedMessages() throws -> [Data] {
        let new = maildir.appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(at: new, includingPropertiesForKeys: nil)) ?? []
        return try files.sorted { $0.lastPathComponent < $1.lastPathComponent }.map { try Data(contentsOf: $0) }
    }

    /// Stops the server. It polls for the exit (bounded) rather than calling `waitUntilExit`, which on
    /// Linux spins the run loop and can hang after `terminate()`.
    public func stop() {
        // aiosmtpd's CLI only stops on SIGINT/SIGKILL; SIGTERM leaves it running. Reaped once, so a
        // recycled pid is never signalled.
        if !stopped.exchange(true, ordering: .acquiringAndReleasing) { process.stop() }
        try? FileManager.default.removeItem(at: maildir)
    }

    deinit { if !stopped.exchange(true, ordering: .acquiringAndReleasing) { process.stop() } }
}

/// The test machine lacks something a test needs; the message says how to install it.
public struct TestEnvironmentError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
