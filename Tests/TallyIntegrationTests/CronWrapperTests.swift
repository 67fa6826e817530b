import Foundation
import Testing
import TallyTestKit

/// `jobs/run`, the wrapper cron calls: it passes the job's exit code through, appends to the job's log,
/// and refuses to start a second run of the same job on the host (exit 75).
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

    @Test("the job's exit code passes through and its output lands in <job>.log")
    func passthrough() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let result = try await JobProcess.run(paths.root.appendingPathComponent("jobs/run"), arguments: ["retry"], environment: paths.environment)
        // The env file it names does not exist: a configuration error (78) the wrapper passes through.
        #expect(result.exitCode == 78)
        let log = try String(contentsOf: paths.scratch.appendingPathComponent("log/retry.log"), encoding: .utf8)
        #expect(log.contains("tally-retry: --env-file names"))
        #expect(log.contains("tally-retry exited 78"))
    }

    @Test("an unknown job is a usage error (64)")
    func unknownJob() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let result = try await JobProcess.run(paths.root.appendingPathComponent("jobs/run"), arguments: ["payroll"], environment: paths.environment)
        #expect(result.exitCode == 64)
    }

    @Test("while another invocation holds the job's lock, the wrapper exits 75 without starting the job")
    func hostLock() async throws {
        let paths = try paths()
        defer { try? FileManager.default.removeItem(at: paths.scratch) }
        let lockDirectory = paths.scratch.appendingPathComponent("lock")
        try FileManager.default.createDirectory(at: lockDirectory, withIntermediateDirectories: true)
        let descriptor = open(lockDirectory.appendingPathComponent("retry.lock").path, O_CREAT | O_RDWR, 0o644)
        #expect(descriptor >= 0)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        defer { close(descriptor) }

        let result = try await JobProcess.run(paths.root.appendingPathComponent("jobs/run"), arguments: ["retry"], environment: paths.environment)

        #expect(result.exitCode == 75)
        let log = try String(contentsOf: paths.scratch.appendingPathComponent("log/retry.log"), encoding: .utf8)
        #expect(log.contains("holds"))
        #expect(!log.contains("not implemented yet"), "the job itself must not have started")
    }
}
