import Foundation

/// A v2 event (`GET /v2/core/events`): Stripe's "thin" events, of which Tally reads the meter error reports
/// (`v1.billing.meter.error_report_triggered`, `v1.billing.meter.no_meter_found`). Times are RFC 3339 text,
/// not Unix seconds. Shapes checked against stripe-go's `V1BillingMeterErrorReportTriggeredEvent(Data)`.
public struct V2Event: Decodable, Sendable, Equatable {
    public var id: String
    public var type: String
    public var created: Date
    public var relatedObject: RelatedObject?
    /// Present when the event is fetched from `/v2/core/events` (not in the thin webhook payload).
    public var data: MeterErrorReportData?

    /// The object the event is about (the meter).
    public struct RelatedObject: Decodable, Sendable, Equatable {
        public var id: String
        public var type: String?
        public var url: String?
    }
}

/// The `data` of a meter error report: the window, and each error code with its count and sample requests.
public struct MeterErrorReportData: Decodable, Sendable, Equatable {
    public var developerMessageSummary: String?
    public var reason: Reason
    public var validationStart: Date?
    public var validationEnd: Date?

    public struct Reason: Decodable, Sendable, Equatable {
        /// Every error in the window.
        public var errorCount: Int64
        public var errorTypes: [ErrorType]
    }

    public struct ErrorType: Decodable, Sendable, Equatable {
        /// e.g. `meter_event_customer_not_found`, `no_meter`, `archived_meter`.
        public var code: String
        public var errorCount: Int64
        public var sampleErrors: [SampleError]
    }

    public struct SampleError: Decodable, Sendable, Equatable {
        public var errorMessage: String?
        public var request: Request?

        /// The meter event's `identifier` (stripe-go calls the field "the request idempotency key").
        public struct Request: Decodable, Sendable, Equatable {
            public var identifier: String?
        }
    }
}

/// A page of `GET /v2/core/events`: v2 lists page by URL, not by `starting_after`.
public struct V2EventPage: Decodable, Sendable, Equatable {
    public var data: [V2Event]
    public var nextPageUrl: String?
}
