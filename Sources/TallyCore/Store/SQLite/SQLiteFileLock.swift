import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<database>.<job>.lock`: the kernel releases it if the process dies, so a
/// crashed run never leaves a stale lock behind.
final class SQLiteFileLock: JobLock {
    private let descriptor: Mutex<Int32?>

    private init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock without waiting; `nil` when another process (or store) holds it.
    /// `open` and a non-blocking `flock` return at once, so this never stalls a thread.
    static func tryLock(path: String) throws -> SQLiteFileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError(
                key: DatabaseLocation.settingKey,
                problem: "lets Tally not create the lock file \(path) (\(String(cString: strerror(errno))))",
                fix: "make the database's directory writable for the user running the jobs"
            )
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            close(fd)
            if error == EWOULDBLOCK { return nil }
            throw ConfigurationError(
                key: DatabaseLocation.settingKey,
                problem: "lets Tally not lock \(path) (\(String(cString: strerror(error))))",
                fix: "put the database on a local file system that supports flock"
            )
        }
        return SQLiteFileLock(descriptor: fd)
    }

    func release() async {
        descriptor.withLock { fd in
            guard let held = fd else { return }
            flock(held, LOCK_UN)
            close(held)
            fd = nil
        }
    }

    deinit {
        descriptor.withLock { fd in
            if let held = fd { close(held) }
        }
    }
}

/// The in-process lock of a `:memory:` store, which no other process can open anyway.
final class InProcessJobLock: JobLock {
    private let job: String
    private let held: Mutex<Bool> = Mutex(true)
    private let unlock: @Sendable (String) -> Void

    init(job: String, unlock: @escaping @Sendable (String) -> Void) {
        self.job = job
        self.unlock = unlock
    }

    func release() async {
        let wasHeld = held.withLock { held in
            defer { held = false }
            return held
        }
        if wasHeld { unlock(job) }
    }
}
