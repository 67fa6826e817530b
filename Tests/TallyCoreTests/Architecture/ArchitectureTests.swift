import Foundation
import Testing
import TallyTestKit

@Suite("Architecture")
struct ArchitectureTests {
    /// The package root, from this file's path (Tests/TallyCoreTests/Architecture/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("TallyCore's folders depend on each other without a cycle (scripts/folder-graph)")
    func noFolderCycle() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("folder-graph-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = try SpawnedProcess.spawn(
            "/usr/bin/python3", arguments: ["scripts/folder-graph", "Sources/TallyCore"],
            currentDirectory: Self.root.path, stdout: output.path, stderr: output.path)
        let status = await process.wait()
        let graph = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "a folder cycle: \(graph)")
        #expect(graph.hasSuffix("no cycle\n"))
    }
}
