import Foundation
import Testing
@testable import TallyCore

@Suite("Atomic files")
struct AtomicFileWriterTests {
    @Test("writes the file atomically with mode 0640 and leaves no temporary file")
    func atomicWrite() async throws {
        // Given a reports root whose daily directory does not exist yet
        let root = try makeScratchDirectory()
        let url = ReportPaths(root: root).dailyFile("reconciliation.csv", for: utc("2026-11-24T03:00:00Z"))
        // When a CSV is written there
        try await AtomicFileWriter().write(Data("a,b\r\n1,2\r\n".utf8), to: url)
        // Then the file holds the bytes, has mode 0640, and is alone in its directory
        #expect(try Data(contentsOf: url) == Data("a,b\r\n1,2\r\n".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            == ["reconciliation.csv"])
    }

    @Test("replaces an older report only when the new one is complete")
    func finalNameAppearsOnlyComplete() async throws {
        let root = try makeScratchDirectory()
        let url = root.appendingPathComponent("2026-11-24/usage.xlsx")
        try await AtomicFileWriter().write(Data("old".utf8), to: url)
        try await AtomicFileWriter().write(to: url) { temporaryURL in
            // While the new report is being produced, readers still see the old one under the final name
            try Data("new, half".utf8).write(to: temporaryURL)
            #expect(try Data(contentsOf: url) == Data("old".utf8))
            #expect(temporaryURL.deletingLastPathComponent() == url.deletingLastPathComponent())
            #expect(temporaryURL.lastPathComponent.hasPrefix(".usage.xlsx.tmp-"))
            try Data("new, complete".utf8).write(to: temporaryURL)
        }
        #expect(try Data(contentsOf: url) == Data("new, complete".utf8))
    }

    @Test("removes the temporary file and keeps the old report when producing fails")
    func failedProduceLeavesNothing() async throws {
        struct Interrupted: Error {}
        let root = try makeScratchDirectory()
        let url = root.appendingPathComponent("2026-11-24/usage.xlsx")
        try await AtomicFileWriter().write(Data("old".utf8), to: url)
        await #expect(throws: Interrupted.self) {
            try await AtomicFileWriter().write(to: url) { temporaryURL in
                try Data("partial".utf8).write(to: temporaryURL)
                throw Interrupted()
            }
        }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            == ["usage.xlsx"])
    }

    @Test("fails with exit 73, the directory and what to do when the directory cannot be written")
    func unwritableDirectory() async throws {
        // Given a REPORTS_DIR that is a regular file (unwritable even for root)
        let blocker = try makeScratchDirectory().appendingPathComponent("reports")
        try Data("not a directory".utf8).write(to: blocker)
        let url = ReportPaths(root: blocker).dailyFile("reconciliation.csv", for: utc("2026-11-24T03:00:00Z"))
        // When a report is written there, then it fails with 73 naming the directory and REPORTS_DIR
        let error = await #expect(throws: OutputError.self) {
            try await AtomicFileWriter().write(Data("x".utf8), to: url)
        }
        #expect(error?.exitStatus == .cannotCreateOutput)
        #expect(error?.path == blocker.appendingPathComponent("2026-11-24").path)
        #expect(error?.description.contains("2026-11-24 is not writable: ") == true)
        #expect(error?.description.hasSuffix("set REPORTS_DIR to a writable directory") == true)
        #expect(error?.settingKey == "REPORTS_DIR")
        #expect(error?.fix == "set REPORTS_DIR to a writable directory")
    }

    @Test("writes a workbook through a temporary name to its final path")
    func workbookThroughTemporaryName() async throws {
        let root = try makeScratchDirectory()
        let url = ReportPaths(root: root).monthlyFile("finance.xlsx", for: utc("2026-11-30T23:00:00Z"))
        try await AtomicFileWriter().write(to: url) { temporaryURL in
            try await Workbook.write([WorkbookTests.summary], to: temporaryURL, properties: DocumentProperties(title: "F"))
        }
        #expect(url.path.hasSuffix("/2026-11/finance.xlsx"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            == ["finance.xlsx"])
        #expect(try Data(contentsOf: url).prefix(2) == Data("PK".utf8))
    }
}
