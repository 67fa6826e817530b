import Foundation
import Logging
import Synchronization
import TallyCLI
import TallyCore
import TallySandbox
import TallyTestKit

/// Runs `tally-retry` (and `tally-reconcile`) inside a `ReconcileScenario` world, at any instant, with the
/// Stripe client optionally wrapped to lose answers or to "kill" the run mid-way.
extension ReconcileScenario.World {
    /// The run's parts at `now` (the simulator's clock is moved there too), with a fresh run record for `job`.
    func composition(job: String, at now: Date, stripe: (any StripeAPI)? = nil, interrupt: InterruptFlag = InterruptFlag(),
                     dryRun: Bool = false, since: Date? = nil, until: Date? = nil) async throws -> JobComposition {
        simulator.clock.set(now)
        let runID = try await store.startRun(job: job, startedAt: now, arguments: "", dryRun: dryRun)
        return JobComposition(configuration: composition.configuration, store: store, stripe: stripe ?? composition.stripe,
                              mailer: composition.mailer, logger: composition.logger, clock: ManualClock(now: now),
                              interrupt: interrupt, jobRun: JobRun(runID: runID, dryRun: dryRun, since: since, until: until))
    }

    /// Runs `tally-retry` at `now`.
    @discardableResult
    func retry(at now: Date, stripe: (any StripeAPI)? = nil, interrupt: InterruptFlag = InterruptFlag(), dryRun: Bool = false,
               since: Date? = nil, concurrentSends: Int = 32, deliveryBatchSize: Int? = nil) async throws -> JobReport {
        let composition = try await composition(job: RetryJob.name, at: now, stripe: stripe, interrupt: interrupt, dryRun: dryRun,
                                                since: since)
        var job = composition.retryJob(concurrentSends: concurrentSends)
        if let deliveryBatchSize { job.settings.deliveryBatchSize = deliveryBatchSize }
        return try await job.run()
    }

    /// Runs `tally-reconcile` at `now` and returns the discrepancies it stored.
    func reconcile(at now: Date) async throws -> [Discrepancy] {
        let composition = try await composition(job: ReconcileJob.name, at: now)
        _ = try await composition.reconcileJob().run()
        guard let run = try await store.reconciliationRuns(jobRunID: composition.jobRun.runID).first else { return [] }
        return try await store.discrepancies(reconciliationRunID: run.id).map(\.discrepancy)
    }

    /// Stripe's events of customer `index`, cancelled ones left out.
    func stripeEvents(customer index: Int) -> [SimulatedMeterEvent] {
        simulator.state.meterEvents(meterID: meterID, customer: customerIDs[index]).filter { !$0.cancelled }
    }

    /// The lines of `reports/<day>/<name>`, header included; empty when the file is missing.
    func reportLines(_ name: String, day: String) -> [String] {
        let url = reportsDirectory.appendingPathComponent(day).appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }
}

/// A Stripe client that behaves like the one it wraps, except around meter-event sends: after
/// `stopAfter` sends it requests a stop (a SIGTERM mid-run), and the send numbered `loseAnswerOf` reaches
/// Stripe but its answer is lost, as on a timeout or a crash before the answer was stored.
final class DisruptingStripe: StripeAPI {
    let base: any StripeAPI
    let interrupt: InterruptFlag?
    let stopAfter: Int
    let loseAnswerOf: Int?
    let failure: any Error
    private let sends = Mutex(0)

    init(_ base: any StripeAPI, interrupt: InterruptFlag? = nil, stopAfter: Int = .max, loseAnswerOf: Int? = nil,
         failure: any Error = StripeError(code: .timeout, endpoint: "POST /v1/billing/meter_events", message: "timed out")) {
        self.base = base
        self.interrupt = interrupt
        self.stopAfter = stopAfter
        self.loseAnswerOf = loseAnswerOf
        self.failure = failure
    }

    func send(_ request: StripeRequest) async throws -> StripeResponse {
        guard request.path == "/v1/billing/meter_events" else { return try await base.send(request) }
        let response = try await base.send(request)
        let number = sends.withLock { count -> Int in
            count += 1
            return count
        }
        if number >= stopAfter { interrupt?.request(signal: SIGTERM) }
        if number == loseAnswerOf { throw failure }
        return response
    }
}

/// A Stripe client that turns away the meter events of chosen identifiers before they reach Stripe, with
/// `failure`, and passes everything else to the one it wraps.
final class FailingStripe: StripeAPI {
    let base: any StripeAPI
    let failing: Set<String>
    let failure: StripeError

    init(_ base: any StripeAPI, failing: Set<String>, failure: StripeError) {
        self.base = base
        self.failing = failing
        self.failure = failure
    }

    func send(_ request: StripeRequest) async throws -> StripeResponse {
        if request.path == "/v1/billing/meter_events", case .string(let identifier)? = request.parameters["identifier"],
           failing.contains(identifier) {
            throw failure
        }
        return try await base.send(request)
    }
}
