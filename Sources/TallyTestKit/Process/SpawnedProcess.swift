import Foundation
import TallyCore
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for the test kit's subprocesses (the jobs, unzip, Python).
///
/// Foundation's `Process.run()` on Linux (swift-corelibs-foundation 6.3) reads past a buffer while it lists
/// `/proc/self/fd`, and crashes the test process now and then (swiftlang/swift-corelibs-foundation#5472);
/// a suite that starts hundreds of children hits it. `posix_spawn` has no such step.
public struct SpawnedProcess: Sendable {
    public let pid: pid_t

    /// Starts `executable` with `arguments` and exactly `environment` (the caller's when nil), in
    /// `currentDirectory`, reading stdin from `stdin` and writing stdout and stderr to the given files
    /// (`/dev/null` for each one that is nil; stderr may be the same file as stdout).
    public static func spawn(
        _ executable: String, arguments: [String] = [], environment: [String: String]? = nil,
        currentDirectory: String? = nil, stdin: String? = nil, stdout: String? = nil, stderr: String? = nil
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if let stderr, stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        }
        // The child gets stdin, stdout and stderr only: an inherited socket (a test's PostgreSQL connection,
        // say) would otherwise stay open for as long as a long-lived child (a test server) lives.
        Self.closeInheritedDescriptors(&actions)
        // glibc's posix_spawn_file_actions_addchdir_np is not imported into Swift: coreutils' `env -C`
        // changes directory in the child instead.
        let command = currentDirectory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let environmentLines = environment.map { $0.map { "\($0.key)=\($0.value)" } }
            ?? ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp = environmentLines.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard result == 0 else {
            throw TestEnvironmentError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return SpawnedProcess(pid: pid)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time (Swift does not import
    /// it); without it, a close action for each descriptor that is open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        for descriptor in 3..<Int32(4_096) where fcntl(descriptor, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Waits for the child on a thread of its own (never the cooperative pool) and returns its exit code,
    /// or the number of the signal that ended it (as Foundation's `terminationStatus` does).
    public func wait() async -> Int32 {
        let pid = self.pid
        return (try? await DedicatedThread.run(named: "tally-test-wait") { Self.waitBlocking(pid) }) ?? -1
    }

    /// Waits on the calling thread: only for short children run from synchronous code (unzip).
    public func waitBlocking() -> Int32 { Self.waitBlocking(pid) }

    private static func waitBlocking(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, written out: the C macros are not imported.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Sends `signal` to the child.
    public func kill(_ signal: Int32 = SIGKILL) {
        _ = Glibc.kill(pid, signal)
    }

    /// Ends a long-running child (a test server) and reaps it, so no zombie is left.
    public func stop() {
        kill(SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}
