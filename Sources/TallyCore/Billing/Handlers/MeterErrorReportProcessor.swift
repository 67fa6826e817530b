import Foundation
import Logging

/// Reads Stripe's meter error reports (`v1.billing.meter.error_report_triggered`, `v1.billing.meter.no_meter_found`
/// from `GET /v2/core/events`): the only signal for meter events Stripe accepted and later found invalid. For
/// each new report it matches the sample identifiers to `token_usage` rows, marks those rows' deliveries
/// `rejected` (so `tally-retry` does not re-send them and reconcile reports their gap), emails `ALERT_EMAIL`
/// once, and records the report.
public struct MeterErrorReportProcessor: Sendable {
    public var store: any MeterErrorStore & BillingEmailLedger
    public var stripe: any StripeAPI
    public var mailer: any Mailer
    public var templates: BillingEmailTemplates
    public var from: EmailAddress
    public var recipients: [EmailAddress]
    public var clock: any TallyClock
    public var logger: Logger

    public init(store: any MeterErrorStore & BillingEmailLedger, stripe: any StripeAPI, mailer: any Mailer,
                templates: BillingEmailTemplates, from: EmailAddress, recipients: [EmailAddress], clock: any TallyClock, logger: Logger) {
        self.store = store
        self.stripe = stripe
        self.mailer = mailer
        self.templates = templates
        self.from = from
        self.recipients = recipients
        self.clock = clock
        self.logger = logger
    }

    /// What one run found.
    public struct Summary: Sendable, Equatable {
        public var reports = 0
        public var rowsMatched = 0
        public var deliveriesRejected = 0
    }

    /// Fetches the reports newer than the newest recorded one and acts on each new one, oldest first.
    public func run() async throws -> Summary {
        // Reports of the newest recorded second may not all be recorded yet: that second is fetched again and
        // the recorded ones are skipped.
        let since = try await store.newestMeterErrorReport().map { $0.addingTimeInterval(-1) }
        var events: [V2Event] = []
        for type in MeterErrorReportProcessorTypes.all {
            events += try await stripe.v2Events(type: type, createdAfter: since)
        }
        events.sort { ($0.created, $0.id) < ($1.created, $1.id) }
        let recorded = try await store.recordedMeterErrorReports(among: events.map(\.id))
        var summary = Summary()
        for event in events where !recorded.contains(event.id) {
            try await act(on: event, into: &summary)
        }
        return summary
    }

    private func act(on event: V2Event, into summary: inout Summary) async throws {
        guard let data = event.data else {
            throw StripeEventPayloadInvalid(eventID: event.id, eventType: event.type, problem: "the meter error report has no data")
        }
        let identifiers = data.reason.errorTypes.flatMap { $0.sampleErrors.compactMap { $0.request?.identifier } }
        let rows = try await store.usageRows(forMeterEventIdentifiers: identifiers)
        let now = clock.now()
        let report = MeterErrorReportRecord(
            eventID: event.id, eventType: event.type, meterID: event.relatedObject?.id, errorCount: data.reason.errorCount,
            windowStart: data.validationStart, windowEnd: data.validationEnd,
            codes: data.reason.errorTypes.map { "\($0.code):\($0.errorCount)" }.joined(separator: ","),
            rowsMatched: rows.count, recordedAt: now, created: event.created)
        try await email(event, data, rows: rows, now: now)
        let rejected = try await store.recordMeterErrorReport(report, rejecting: identifiers)
        summary.reports += 1
        summary.rowsMatched += rows.count
        summary.deliveriesRejected += rejected
        logger.warning("Stripe reported \(data.reason.errorCount) invalid meter events (\(event.type) \(event.id)); \(rows.count) sample rows matched, \(rejected) deliveries marked rejected")
    }

    /// The ops email, once per report (the ledger remembers it even if recording the report fails after).
    private func email(_ event: V2Event, _ data: MeterErrorReportData, rows: [String: String], now: Date) async throws {
        guard !recipients.isEmpty else {
            logger.warning("ALERT_EMAIL is not set: the meter error report \(event.id) is recorded in tally_meter_error_reports only")
            return
        }
        let key = BillingEmailKey(eventID: event.id, kind: .meterErrors, teamID: "")
        guard try await store.claimBillingEmail(key, recipients: recipients.map(\.address)) else { return }
        let lines = data.reason.errorTypes.map { type in
            let samples = type.sampleErrors.compactMap { sample -> String? in
                guard let identifier = sample.request?.identifier else { return sample.errorMessage }
                return "\(identifier) → " + (rows[identifier].map { "token_usage row \($0)" } ?? "no token_usage row found")
            }
            return ["code": type.code, "count": String(type.errorCount), "samples": samples.isEmpty ? "none given" : samples.joined(separator: "; ")]
        }
        let window = { (date: Date?) in date.map(UTCCalendarText.instant) ?? "?" }
        let values = [
            "event_type": event.type, "event_id": event.id, "meter": event.relatedObject?.id ?? "unknown",
            "error_count": String(data.reason.errorCount), "window_start": window(data.validationStart),
            "window_end": window(data.validationEnd), "rows_matched": String(rows.count),
        ]
        do {
            _ = try await mailer.send(try templates.message(.meterErrors, values: values, lines: lines, from: from, to: recipients, date: now))
            try await store.markBillingEmail(key, sentAt: now, error: nil)
        } catch let error as AlertTemplateError {
            throw error
        } catch {
            try await store.markBillingEmail(key, sentAt: nil, error: "\(error)")
            throw error
        }
    }
}

/// The v2 event types the processor reads.
enum MeterErrorReportProcessorTypes {
    static let all = ["v1.billing.meter.error_report_triggered", "v1.billing.meter.no_meter_found"]
}
