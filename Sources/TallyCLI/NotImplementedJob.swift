import Foundation
import TallyCore

/// The shell of a job whose use-case is not built yet: it says so plainly and does nothing, exiting 69
/// (EX_UNAVAILABLE, "a required program is missing") so cron and the wrappers never mistake it for success.
public enum NotImplementedJob {
    public static func exit(job: String, issue: String) -> Never {
        FileHandle.standardError.write(Data("""
            tally-\(job): not implemented yet (\(issue)); nothing was read or sent. \
            See the README's Status table.

            """.utf8))
        Foundation.exit(ExitStatus.unavailable.rawValue)
    }
}
