import Foundation
import Synchronization

/// Runs a built executable (a `tally-*` job) as a subprocess, the way cron does: with only the environment
/// given, its output captured, and a timeout after which it is terminated.
public enum JobProcess {
    /// How a finished subprocess ended.
    public struct Result: Sendable, Equatable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        /// True when the timeout ended the process (it was sent SIGTERM, then SIGKILL).
        public var timedOut: Bool
    }

    /// `.build/debug/<name>` of the package holding `filePath` (pass `#filePath` from a test).
    public static func builtExecutable(_ name: String, filePath: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                let executable = directory.appendingPathComponent(".build/debug/\(name)")
                guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                    throw JobProcessError.missingExecutable(executable.path)
                }
                return executable
            }
            directory.deleteLastPathComponent()
        }
        throw JobProcessError.missingExecutable(".build/debug/\(name) (no Package.swift above \(filePath))")
    }

    /// Runs `executable` to the end with exactly `environment` (plus `PATH` when absent, never the caller's
    /// secrets), and returns its exit code and output. `onStart` gets the process id, e.g. to signal it.
    public static func run(
        _ executable: URL, arguments: [String] = [], environment: [String: String],
        currentDirectory: URL? = nil, timeout: Duration = .seconds(120),
        onStart: @Sendable (Int32) async -> Void = { _ in }
    ) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("job-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files, not pipes: a chatty child never blocks on a full pipe and nobody blocks reading one.
        let stdoutURL = scratch.appendingPathComponent("stdout")
        let stderrURL = scratch.appendingPathComponent("stderr")
        for url in [stdoutURL, stderrURL] where !FileManager.default.createFile(atPath: url.path, contents: nil) {
            throw JobProcessError.cannotCapture(url.path)
        }
        var childEnvironment = environment
        if childEnvironment["PATH"] == nil { childEnvironment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        let process = try SpawnedProcess.spawn(executable.path, arguments: arguments, environment: childEnvironment,
                                               currentDirectory: currentDirectory?.path, stdout: stdoutURL.path,
                                               stderr: stderrURL.path)
        let pid = process.pid
        await onStart(pid)

        let timedOut = Atomic<Bool>(false)
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            timedOut.store(true, ordering: .relaxed)
            kill(pid, SIGTERM)
            try await Task.sleep(for: .seconds(5))
            kill(pid, SIGKILL)
        }
        let code = await process.wait()
        watchdog.cancel()

        return Result(
            exitCode: code,
            stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "",
            timedOut: timedOut.load(ordering: .relaxed))
    }
}

/// Why a subprocess could not be run.
public enum JobProcessError: Error, CustomStringConvertible, Equatable {
    case missingExecutable(String)
    case cannotCapture(String)

    public var description: String {
        switch self {
        case .missingExecutable(let path):
            "\(path) is missing: build it first (`swift build`), then run the integration tests"
        case .cannotCapture(let path):
            "cannot create \(path) to capture the process's output: check the temporary directory's space and permissions"
        }
    }
}
