import Foundation
import TallyCore

/// Each job's settings, taken from the configuration here and nowhere else: a job sees only the settings
/// it reads, never `TallyConfiguration`.
extension TallyConfiguration {
    /// `ALERT_EMAIL` (its valid addresses) and `MAIL_FROM` (Tally's own address when unreadable).
    public var opsMail: OpsMail {
        OpsMail(recipients: mail.alertRecipients.compactMap(EmailAddress.init(parsing:)),
                sender: EmailAddress(parsing: mail.from) ?? EmailAddress(name: "Tally", address: "tally@localhost"))
    }

    public var reconcileSettings: ReconcileJob.Settings {
        ReconcileJob.Settings(meterIDs: stripe.meterIDs, lookbackDays: reconcile.lookbackDays, settleDelay: reconcile.settleDelay,
                              alertRatio: reconcile.alertRatio, reportsDirectory: output.reportsDirectory, opsMail: opsMail,
                              remindDays: reconcile.remindDays, dashboard: StripeDashboardLinks(liveMode: stripe.isLiveMode),
                              stripeConcurrency: stripeClientConfiguration.rateLimits.general
                                  .callsInFlight(limit: stripeClientConfiguration.maxConcurrentRequests))
    }

    /// `concurrentSends` defaults to what keeps the meter-event bucket busy at Stripe's latency (the general
    /// bucket's in test mode, where meter events draw on it), within the client's cap on calls in flight.
    public func retrySettings(concurrentSends: Int? = nil) -> RetryJob.Settings {
        let limits = stripeClientConfiguration.rateLimits
        let bucket = limits.meterEventsDrawOnGeneral || limits.meterEvents.rate == 0 ? limits.general : limits.meterEvents
        let concurrentSends = concurrentSends ?? bucket.callsInFlight(limit: stripeClientConfiguration.maxConcurrentRequests)
        return RetryJob.Settings(meterIDs: stripe.meterIDs, settleDelay: reconcile.settleDelay, reportsDirectory: output.reportsDirectory,
                                 opsMail: opsMail, concurrentSends: concurrentSends,
                                 dashboard: StripeDashboardLinks(liveMode: stripe.isLiveMode))
    }

    public var usageAlertsSettings: UsageAlertsJob.Settings {
        UsageAlertsJob.Settings(
            thresholds: AlertThresholds(ratios: usageAlerts.thresholds, warning: usageAlerts.warningThreshold,
                                        hardLimit: usageAlerts.hardLimit),
            plans: plans, opsRecipients: mail.alertRecipients, reportsDirectory: output.reportsDirectory)
    }

    public func eventsSettings(catchUp: EventCatchUpSettings = .init()) -> EventsJob.Settings {
        EventsJob.Settings(catchUp: catchUp, opsMail: opsMail, secretValues: secretValues)
    }

    public var reportSettings: ReportJob.Settings {
        ReportJob.Settings(reportsDirectory: output.reportsDirectory)
    }
}
