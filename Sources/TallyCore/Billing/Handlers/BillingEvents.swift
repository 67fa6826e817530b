import Foundation

/// The billing events as the events job's handler: each queued event through `BillingEventProcessor`, and
/// after the queue the access rows refreshed from the usage caps and Stripe's meter error reports read.
public struct BillingEvents: StripeEventHandler {
    public var processor: BillingEventProcessor
    public var meterErrors: MeterErrorReportProcessor
    public var access: any TeamAccessSource

    public init(processor: BillingEventProcessor, meterErrors: MeterErrorReportProcessor, access: any TeamAccessSource) {
        self.processor = processor
        self.meterErrors = meterErrors
        self.access = access
    }

    public func handle(_ event: StripeEventRecord) async throws -> StripeEventHandling {
        let outcome = try await processor.process(event)
        return StripeEventHandling(
            emailsSent: outcome.emailsSent,
            problems: outcome.newProblems.map { "team \($0.teamID): \(Self.describe($0.problem)) (event \($0.eventID))" })
    }

    public func finishRun(now: Date) async throws -> StripeEventHandling {
        let refreshed = try await access.refreshTeamAccessUsage(now: now)
        let reports = try await meterErrors.run()
        var handling = StripeEventHandling(emailsSent: reports.reports, notes: ["\(refreshed) access rows refreshed from the usage caps"])
        if reports.reports > 0 {
            handling.problems.append("Stripe reported \(reports.reports) meter error report\(reports.reports == 1 ? "" : "s") "
                + "(\(reports.rowsMatched) usage rows matched, \(reports.deliveriesRejected) deliveries marked rejected): "
                + "see the email to ALERT_EMAIL and tally_meter_error_reports")
        }
        return handling
    }

    /// A recorded problem's code in words.
    static func describe(_ problem: String) -> String {
        switch problem {
        case "no_owner_email": "no owner with an email address, so its billing emails went to nobody; add an owner in team_members"
        default: problem.replacingOccurrences(of: "_", with: " ")
        }
    }
}
