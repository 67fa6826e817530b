import Foundation
import TallyCore

/// The file a script reads the bound port from; written whole (temporary name, then rename).
struct PortFile {
    let path: String

    /// Why the port file could not be written.
    struct WriteFailure: TallyFailure {
        let path: String
        let reason: String
        var exitStatus: ExitStatus { .cannotCreateOutput }
        var description: String { "Cannot write the port file \(path): \(reason). Pick a writable --port-file path." }
    }

    func write(port: Int) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw WriteFailure(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
