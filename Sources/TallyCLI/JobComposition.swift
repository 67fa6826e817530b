import Foundation
import Logging
import TallyCore

/// The composition root: one run's parts (the configuration, the store, the Stripe client, the mailer, the
/// clock, the interrupt flag and the run's facts), from which each job is built with only the roles and
/// settings it uses. The executables build it in `JobMain`; the tests build it around the simulator.
public struct JobComposition: Sendable {
    public var configuration: TallyConfiguration
    public var store: any TallyStore
    /// Every call of the run stops with it (see `InterruptibleStripe`).
    public var stripe: any StripeAPI
    public var mailer: any Mailer
    /// Carries the team webhooks of `tally-alerts`.
    public var http: any HTTPTransport
    public var logger: Logger
    public var clock: any TallyClock
    public var interrupt: InterruptFlag
    public var jobRun: JobRun

    /// `mailer` defaults to the one the settings ask for (`makeMailer`).
    public init(configuration: TallyConfiguration, store: any TallyStore, stripe: any StripeAPI, mailer: (any Mailer)? = nil,
                http: any HTTPTransport = CurlTransport(), logger: Logger, clock: any TallyClock = SystemClock(),
                interrupt: InterruptFlag = InterruptFlag(), jobRun: JobRun) {
        self.configuration = configuration
        self.store = store
        self.stripe = stripe is InterruptibleStripe ? stripe : InterruptibleStripe(base: stripe, interrupt: interrupt)
        self.mailer = mailer ?? configuration.makeMailer()
        self.http = http
        self.logger = logger
        self.clock = clock
        self.interrupt = interrupt
        self.jobRun = jobRun
    }

    public func reconcileJob() -> ReconcileJob {
        ReconcileJob(store: store, stripe: stripe, mailer: mailer, logger: logger, clock: clock, interrupt: interrupt,
                     jobRun: jobRun, settings: configuration.reconcileSettings)
    }

    public func retryJob(concurrentSends: Int? = nil) -> RetryJob {
        RetryJob(store: store, stripe: stripe, mailer: mailer, logger: logger, clock: clock, interrupt: interrupt,
                 jobRun: jobRun, settings: configuration.retrySettings(concurrentSends: concurrentSends))
    }

    /// Loads the alert templates first: a broken user template stops the run before anything is recorded.
    public func usageAlertsJob() throws -> UsageAlertsJob {
        usageAlertsJob(notifier: try liveUsageNotifier())
    }

    /// With another notifier (a test's failing channel).
    public func usageAlertsJob(notifier: any UsageNotifier) -> UsageAlertsJob {
        UsageAlertsJob(store: store, stripe: stripe, notifier: notifier, logger: logger, clock: clock, interrupt: interrupt,
                       jobRun: jobRun, settings: configuration.usageAlertsSettings)
    }

    /// Emails from `MAIL_FROM` through the mailer, in-app rows in the store, webhooks over `http`, worded by the
    /// built-in templates or those of `ALERT_TEMPLATES_DIR`.
    public func liveUsageNotifier() throws -> LiveUsageNotifier {
        LiveUsageNotifier(
            templates: try AlertTemplateSet(directory: configuration.usageAlerts.templatesDirectory), mailer: mailer,
            from: EmailAddress(parsing: configuration.mail.from) ?? EmailAddress(address: "tally@localhost"),
            store: store, http: http, clock: clock)
    }

    /// Loads the billing email templates first: a broken user template stops the run before anything is stored.
    public func eventsJob(catchUp: EventCatchUpSettings = .init()) throws -> EventsJob {
        EventsJob(inbox: store, queue: store, listings: store, stripe: stripe, mailer: mailer, logger: logger, clock: clock,
                  interrupt: interrupt, jobRun: jobRun, settings: configuration.eventsSettings(catchUp: catchUp),
                  handler: try billingEvents())
    }

    /// The billing events (issue 15): the processor of each queued event, the meter error reports and the access
    /// rows, with emails from `MAIL_FROM` worded by the built-in templates or those of `ALERT_TEMPLATES_DIR`.
    public func billingEvents() throws -> BillingEvents {
        let templates = try BillingEmailTemplates(directory: configuration.usageAlerts.templatesDirectory)
        let opsMail = configuration.opsMail
        return BillingEvents(
            processor: BillingEventProcessor(store: store, mailer: mailer, templates: templates, plans: configuration.plans,
                                             stripe: stripe, from: opsMail.sender, clock: clock, logger: logger),
            meterErrors: MeterErrorReportProcessor(store: store, stripe: stripe, mailer: mailer, templates: templates,
                                                   from: opsMail.sender, recipients: opsMail.recipients, clock: clock, logger: logger),
            access: store)
    }

    public func reportJob(_ request: ReportJob.Request = .init()) -> ReportJob {
        ReportJob(store: store, stripe: stripe, logger: logger, clock: clock, interrupt: interrupt, jobRun: jobRun,
                  settings: configuration.reportSettings, request: request)
    }
}
