import Foundation
import Testing
import TallyCore

@Suite("Metrics file")
struct MetricsFileWriterTests {
    @Test("an unwritable METRICS_DIR fails with 73, naming the directory, METRICS_DIR and the fix")
    func unwritableDirectory() async throws {
        // Given a METRICS_DIR that is a regular file (not writable as a directory, even for root)
        let blocker = try makeScratchDirectory().appendingPathComponent("metrics")
        try Data("not a directory".utf8).write(to: blocker)
        let writer = MetricsFileWriter(directory: blocker)

        // When the metrics of a run that could not start are written there
        let error = await #expect(throws: OutputError.self) {
            try await writer.writeStartFailure(job: "reconcile", status: .configuration, at: utc("2026-11-24T03:00:00Z"))
        }

        // Then it is the one output error, pointing at METRICS_DIR rather than REPORTS_DIR
        #expect(error?.exitStatus == .cannotCreateOutput)
        #expect(error?.kind == .notWritable)
        #expect(error?.path == blocker.path)
        #expect(error?.settingKey == "METRICS_DIR")
        #expect(error?.fix == "make METRICS_DIR writable by the job's user, or unset it")
        #expect(error?.description.hasPrefix("\(blocker.path) is not writable: ") == true)
        #expect(error?.description.hasSuffix("; make METRICS_DIR writable by the job's user, or unset it") == true)
    }
}
