import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts a file (a report, an outbox email, a metrics file) at its final path atomically: a reader sees no
/// file, or the complete one.
///
/// The directory is created, the bytes go to a hidden temporary name in the same directory
/// (`.reconciliation.csv.tmp-<pid>`), are fsynced and given mode 0640, and the file is renamed to its
/// final name (rename within one directory is atomic). On any failure the temporary file is removed.
/// Blocking file calls run on a dedicated thread. Failures are `OutputError`s naming `REPORTS_DIR`; a writer
/// of files that go elsewhere (metrics) renames the setting with `OutputError.named(settingKey:fix:)`.
public struct AtomicFileWriter: Sendable {
    /// The final file mode: owner read-write, group read (reports hold customer data).
    public var permissions: mode_t

    public init(permissions: mode_t = 0o640) {
        self.permissions = permissions
    }

    /// Writes `data` (a rendered CSV, say) to `url` atomically.
    public func write(_ data: Data, to url: URL) async throws {
        try await write(to: url) { temporaryURL in
            try await DedicatedThread.run(named: "tally-report-io") {
                try Self.writeAll(data, to: temporaryURL)
            }
        }
    }

    /// Lets `produce` write the file at a temporary URL (a workbook, say), then moves it to `url` atomically.
    public func write(to url: URL, produce: @Sendable (URL) async throws -> Void) async throws {
        let directory = url.deletingLastPathComponent()
        let temporaryURL = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let mode = permissions
        do {
            try await DedicatedThread.run(named: "tally-report-io") {
                try Self.createDirectory(directory)
            }
            try await produce(temporaryURL)
            try await DedicatedThread.run(named: "tally-report-io") {
                try Self.publish(temporaryURL, as: url, mode: mode)
            }
        } catch {
            _ = try? await DedicatedThread.run(named: "tally-report-io") { unlink(temporaryURL.path) }
            if let failure = error as? OutputError, failure.path == temporaryURL.path {
                throw failure.reported(at: url.path)
            }
            throw error
        }
    }

    /// Removes the temporary files (`.<name>.tmp-<pid>`) in `directories` (and one level of subfolders,
    /// where the dated reports are) whose process is gone: a run killed mid-write leaves them behind.
    /// Returns their paths. A process that is still alive keeps its files.
    public static func removeAbandonedTemporaryFiles(in directories: [URL]) async -> [String] {
        let found = try? await DedicatedThread.run(named: "tally-report-io") { () -> [String] in
            var removed: [String] = []
            let manager = FileManager.default
            var folders: [URL] = []
            for directory in directories {
                folders.append(directory)
                let children = (try? manager.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isDirectoryKey])) ?? []
                folders += children.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            }
            for folder in folders {
                for name in (try? manager.contentsOfDirectory(atPath: folder.path)) ?? [] {
                    guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
                          let pid = pid_t(name[marker.upperBound...]), pid > 0 else { continue }
                    // kill(pid, 0) fails with ESRCH once the process is gone.
                    guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
                    let path = folder.appendingPathComponent(name).path
                    if unlink(path) == 0 { removed.append(path) }
                }
            }
            return removed
        }
        return found ?? []
    }

    private static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError.reportsDirectory(path: directory.path, reason: reason(for: error))
        }
        guard access(directory.path, W_OK) == 0 else {
            throw OutputError.reportsDirectory(path: directory.path, reason: String(cString: strerror(errno)))
        }
    }

    private static func writeAll(_ data: Data, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw systemError(url.deletingLastPathComponent()) }
        defer { close(descriptor) }
        guard writeFully(data, to: descriptor) else { throw systemError(url) }
    }

    /// Writes all of `data` to `descriptor`, through interrupted and short writes; false (with `errno` set)
    /// when the system refuses. The outbox's batch writes share it.
    static func writeFully(_ data: Data, to descriptor: Int32) -> Bool {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// fsync, chmod, rename, then fsync the directory so the new name survives a crash too.
    private static func publish(_ temporaryURL: URL, as url: URL, mode: mode_t) throws {
        let descriptor = open(temporaryURL.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw systemError(temporaryURL) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0, fchmod(descriptor, mode) == 0 else { throw systemError(url) }
        guard rename(temporaryURL.path, url.path) == 0 else { throw systemError(url) }
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private static func systemError(_ url: URL) -> OutputError {
        OutputError.reportsDirectory(path: url.path, reason: String(cString: strerror(errno)))
    }

    private static func reason(for error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(nsError.code)))
        }
        return nsError.localizedDescription
    }
}

/// `write(2)`, named apart from `AtomicFileWriter.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
