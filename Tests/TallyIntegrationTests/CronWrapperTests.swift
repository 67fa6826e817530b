import Foundation
import Testing
import TallyTestKit

/// `jobs/run`, the wrapper cron and systemd call: it passes the job's exit code through, appends to the
/// job's log, refuses to start a second run of the same job on the host (exit 75), and tells a person on
/// stderr when a job did not exit 0.
@Suite("Cron wrapper jobs/run")
struct CronWrapperTests {
    struct Paths {
        var root: URL
        var scratch: URL
        var environment: [String: String]
    }

    func paths() throws -> Paths {
        let executable = try JobProcess.builtExecutable("tally-retry")
        // <root>/.build/debug/tally-retry
        let root = executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tally-cron-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        return Paths(root: root, scratch: scratch, environment: [
            "TALLY_BIN": executable.deletingLastPathComponent().path,
            "TALLY_LOG_DIR": scratch.appendingPathComponent("log").path,
            "TALLY_LOCK_DIR": scratch.appendingPathComponent("lock").path,
            "TALLY_ENV_FILE": scratch.appendingPathComponent("absent.env").path,
        ])
    }

    func wrapper(_ paths: Paths, _ name: String = "run") -> URL {
        paths.root.appendingPathComponent("jobs/\(name)")
    }

    @Test("the job's exit code passes through and its output lands in <job>.log")
    func passthrough() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let result = try await JobProcess.run(wrapper(paths), arguments: ["retry"], environment: paths.environment)
        // The env file it names does not exist: a configuration error (78) the wrapper passes through.
        #expect(result.exitCode == 78)
        let log = try String(contentsOf: paths.scratch.appendingPathComponent("log/retry.log"), encoding: .utf8)
        #expect(log.contains("tally-retry: --env-file names"))
        #expect(log.contains("tally-retry exited 78"))
    }

    @Test("a job that exits with anything but 0 prints one line on stderr: the code, the log and the job's own message")
    func failureReachesStderr() async throws {
        // Given a job that fails on start-up (its env file is missing: 78),
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }

        // when cron runs it through the wrapper,
        let result = try await JobProcess.run(wrapper(paths), arguments: ["retry"], environment: paths.environment)

        // then cron's mail (stderr) gets exactly one line naming the job, its code, its log and its message,
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("jobs/run: tally-retry exited 78 (see \(paths.scratch.path)/log/retry.log): "))
        #expect(line.contains("absent.env"), "the job's own message names the missing file: \(line)")
        // and the job's whole output stays in the log, never on stdout.
        #expect(result.stdout.isEmpty)
    }

    @Test("a job that needs a human (exit 1) puts its summary line on stderr, not the last line it printed")
    func summaryLineOnStderr() async throws {
        // Given a stand-in job that prints its summary line (as JobRunner does) and more after it, and exits 1,
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let bin = paths.scratch.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let job = bin.appendingPathComponent("tally-reconcile")
        try """
            #!/bin/sh
            echo "2026-11-30T02:10:01.000+0000 info tally-reconcile: reconcile started"
            echo "2026-11-30T02:10:09.000+0000 warning tally-reconcile: reconcile needs_human: 3 discrepancies (2 for tally-retry, 1 for a human) exit_code=1"
            echo "2026-11-30T02:10:09.000+0000 info tally-reconcile: wrote metrics"
            exit 1
            """.write(to: job, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: job.path)
        var environment = paths.environment
        environment["TALLY_BIN"] = bin.path

        // when it runs through the wrapper,
        let result = try await JobProcess.run(wrapper(paths), arguments: ["reconcile"], environment: environment)

        // then it exits 1 and stderr carries the summary line.
        #expect(result.exitCode == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("tally-reconcile exited 1"))
        #expect(result.stderr.contains("reconcile needs_human: 3 discrepancies (2 for tally-retry, 1 for a human)"))
        #expect(!result.stderr.contains("wrote metrics"))
    }

    /// Ways a log cannot be written that hold even for root, who may write anywhere else.
    enum UnwritableLog: String, CaseIterable, CustomTestStringConvertible {
        case parentIsAFile = "a file stands where the log directory should be"
        case logIsADirectory = "the log file is a directory"
        var testDescription: String { rawValue }
    }

    @Test("a log that cannot be written is reported on stderr with exit 73, before the job starts", arguments: UnwritableLog.allCases)
    func unwritableLog(_ way: UnwritableLog) async throws {
        // Given a log the wrapper cannot append to,
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        var environment = paths.environment
        let logDirectory: URL
        switch way {
        case .parentIsAFile:
            let blocker = paths.scratch.appendingPathComponent("not-a-directory")
            try Data().write(to: blocker)
            logDirectory = blocker.appendingPathComponent("log")
        case .logIsADirectory:
            logDirectory = paths.scratch.appendingPathComponent("log")
            try FileManager.default.createDirectory(at: logDirectory.appendingPathComponent("retry.log"), withIntermediateDirectories: true)
        }
        environment["TALLY_LOG_DIR"] = logDirectory.path

        // when the wrapper runs a job,
        let result = try await JobProcess.run(wrapper(paths), arguments: ["retry"], environment: environment)

        // then it exits 73 ("cannot write output") with one line naming the log and the fix, not a shell error.
        #expect(result.exitCode == 73)
        #expect(result.stderr.hasPrefix("jobs/run: cannot append to the log \(logDirectory.path)/retry.log"), "\(result.stderr)")
        #expect(result.stderr.contains("TALLY_LOG_DIR"))
        #expect(!result.stderr.contains("line "), "no bash error: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("an unknown job is a usage error (64)")
    func unknownJob() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let result = try await JobProcess.run(wrapper(paths), arguments: ["payroll"], environment: paths.environment)
        #expect(result.exitCode == 64)
    }

    @Test("while another invocation holds the job's lock, the wrapper exits 75 without starting the job, and says so")
    func hostLock() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let lockDirectory = paths.scratch.appendingPathComponent("lock")
        try FileManager.default.createDirectory(at: lockDirectory, withIntermediateDirectories: true)
        let descriptor = open(lockDirectory.appendingPathComponent("retry.lock").path, O_CREAT | O_RDWR, 0o644)
        #expect(descriptor >= 0)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        defer { close(descriptor) }

        let result = try await JobProcess.run(wrapper(paths), arguments: ["retry"], environment: paths.environment)

        #expect(result.exitCode == 75)
        let log = try String(contentsOf: paths.scratch.appendingPathComponent("log/retry.log"), encoding: .utf8)
        #expect(log.contains("holds"))
        #expect(!log.contains("--env-file names"), "the job itself must not have started")
        #expect(result.stderr.contains("another retry run holds"))
    }

    @Test("jobs/at-utc-hour runs the command in one of its UTC hours, and rejects an hour that is not one")
    func utcHourGuard() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let everyHour = (0..<24).map { String(format: "%02d", $0) }.joined(separator: ",")
        let runs = try await JobProcess.run(wrapper(paths, "at-utc-hour"), arguments: [everyHour, "/bin/echo", "ran"], environment: [:])
        #expect(runs.exitCode == 0)
        #expect(runs.stdout == "ran\n")

        let bad = try await JobProcess.run(wrapper(paths, "at-utc-hour"), arguments: ["02,24", "/bin/echo", "ran"], environment: [:])
        #expect(bad.exitCode == 64)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.contains("24 is not an hour"))
    }
}
