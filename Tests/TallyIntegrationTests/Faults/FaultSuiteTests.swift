import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The fault suite: cron-like nights of the real `tally-reconcile` and `tally-retry` against the simulator
/// while Stripe or the network fails one way, then a clean night. Whatever failed, Stripe ends as after a
/// clean run (each row once), nothing is ever sent twice, and every run ends with a documented code.
@Suite("Fault suite: Stripe and network faults end in the state of a clean run")
struct FaultSuiteTests {
    /// One fault the simulator injects, named as the case is.
    enum Fault: String, CaseIterable, CustomStringConvertible, Sendable {
        case fiveHundredBeforeApply = "500 before Stripe applies the request"
        case fiveHundredAfterApply = "500 after Stripe applied the request"
        case dropBeforeApply = "connection dropped before Stripe applies the request"
        case dropAfterApply = "connection dropped after Stripe applied the request"
        case unreadableSuccess = "200 cut short after Stripe applied the request"
        case rateLimitStorm = "429 storm"
        case lockTimeout = "429 lock_timeout"
        case latency = "slow answers"
        case repeatedCursor = "list answering the same page and cursor"
        case oversizedBody = "answer larger than 64 MiB"

        var description: String { rawValue }

        /// The plan for night `night` (each night draws other requests to fail).
        func plan(night: UInt64) -> FaultPlan {
            let seed = 1_000 + night
            switch self {
            case .fiveHundredBeforeApply: return FaultPlan(errorRate: 0.3, seed: seed)
            case .fiveHundredAfterApply: return FaultPlan(errorAfterApplyRate: 0.3, seed: seed)
            case .dropBeforeApply: return FaultPlan(dropConnectionRate: 0.2, seed: seed)
            case .dropAfterApply: return FaultPlan(dropAfterApplyRate: 0.3, seed: seed)
            case .unreadableSuccess: return FaultPlan(unreadableSuccessRate: 0.3, seed: seed)
            // Longer than one call's four attempts: the first job that meets it exits 75, the next gets through.
            case .rateLimitStorm: return FaultPlan(burst429Count: 6, seed: seed)
            case .lockTimeout: return FaultPlan(lockTimeoutRate: 0.3, seed: seed)
            case .latency: return FaultPlan(latency: .milliseconds(100), latencyJitter: .milliseconds(100), seed: seed)
            case .repeatedCursor: return FaultPlan(repeatListPages: true, seed: seed)
            // Only the night's first answer: padded past the transport's cap.
            case .oversizedBody: return FaultPlan(oversizedBodyBytes: 65 * 1024 * 1024, faultyRequests: 1, seed: seed)
            }
        }

        /// The status the simulator's log must show, so a case never passes without its fault (0: dropped).
        var signature: Int? {
            switch self {
            case .fiveHundredBeforeApply, .fiveHundredAfterApply: 500
            case .dropBeforeApply, .dropAfterApply: 0
            case .rateLimitStorm, .lockTimeout: 429
            case .unreadableSuccess, .latency, .repeatedCursor, .oversizedBody: nil
            }
        }

        /// The codes a run may end with under this fault: a 200 Tally cannot read on a GET is bad data (65).
        var allowedCodes: Set<Int32> {
            self == .unreadableSuccess ? FaultWorld.codesUnderFaults.union([65]) : FaultWorld.codesUnderFaults
        }
    }

    @Test("two nights under the fault, then a clean night, end as a clean run with nothing sent twice",
          arguments: Fault.allCases, StoreBackendUnderTest.all)
    func faultyNights(fault: Fault, backend: StoreBackendUnderTest) async throws {
        try await FaultWorld.run(on: backend) { world in
            for night in UInt64(1)...2 {
                // Given Stripe fails this way all night
                world.simulator.setFaults(fault.plan(night: night))

                // When cron runs reconcile, then retry
                let reconciled = try await world.runReconcile()
                let retried = try await world.runRetry()

                // Then each ends with a documented code, saying why, and nothing reaches Stripe twice
                for (job, result) in [("reconcile", reconciled), ("retry", retried)] {
                    #expect(fault.allowedCodes.contains(result.exitCode), "\(fault), night \(night), \(job): exit \(result.exitCode): \(result.stderr)")
                    #expect(!result.stderr.contains(FaultWorld.key), "\(fault): the key leaked")
                }
                if fault == .repeatedCursor {
                    #expect(reconciled.exitCode == 69 && reconciled.stderr.contains("would never end"), "\(reconciled.stderr)")
                }
                if fault == .oversizedBody {
                    #expect(reconciled.exitCode == 69 && reconciled.stderr.contains("larger than Tally reads"), "\(reconciled.stderr)")
                }
                world.expectNothingSentTwice("\(fault), night \(night)")
            }
            if let signature = fault.signature {
                #expect(world.simulator.requests.contains { $0.status == signature }, "\(fault) was never injected")
            }
            // And a clean night leaves Stripe as a clean run would
            try await world.finishClean("\(fault)")
        }
    }

    /// The seed of the kill points: `TALLY_FAULT_SEED` to replay a run, a new one otherwise (printed).
    static let killSeed: UInt64 = ProcessInfo.processInfo.environment["TALLY_FAULT_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...999_999)

    @Test("kill -9 of tally-retry at seeded points, after Stripe applied a request and before its answer, sends each row once",
          arguments: StoreBackendUnderTest.all)
    func killRetry(backend: StoreBackendUnderTest) async throws {
        print("fault suite: kill -9 points of tally-retry from TALLY_FAULT_SEED=\(Self.killSeed)")
        var random = SplitMix(seed: Self.killSeed)
        try await FaultWorld.run(on: backend) { world in
            let found = try await world.runReconcile()
            #expect(found.exitCode == 1, "\(found.stderr)")
            for attempt in 1...4 {
                // Given a retry killed once Stripe has processed its n-th request (n seeded)
                let point = Int(random.next() % 8) + 1
                let killed = try await world.runRetry { pid in
                    world.simulator.whenRequest(number: point) { kill(pid, SIGKILL) }
                }
                world.simulator.cancelRequestHooks()
                #expect([0, 1, 9].contains(killed.exitCode), "seed \(Self.killSeed), kill \(attempt) at request \(point): \(killed.stderr)")
                // Then nothing is in Stripe twice, whatever the point
                world.expectNothingSentTwice("seed \(Self.killSeed), kill \(attempt) at request \(point)")
            }
            try await world.finishClean("seed \(Self.killSeed), after kills of tally-retry")
        }
    }

    @Test("kill -9 of tally-reconcile at seeded points leaves the next night clean", arguments: StoreBackendUnderTest.all)
    func killReconcile(backend: StoreBackendUnderTest) async throws {
        print("fault suite: kill -9 points of tally-reconcile from TALLY_FAULT_SEED=\(Self.killSeed)")
        var random = SplitMix(seed: Self.killSeed &+ 1)
        try await FaultWorld.run(on: backend) { world in
            for attempt in 1...3 {
                let point = Int(random.next() % 6) + 1
                let killed = try await world.runReconcile { pid in
                    world.simulator.whenRequest(number: point) { kill(pid, SIGKILL) }
                }
                world.simulator.cancelRequestHooks()
                #expect([0, 1, 9].contains(killed.exitCode), "seed \(Self.killSeed), kill \(attempt) at request \(point): \(killed.stderr)")
                let retried = try await world.runRetry()
                #expect([0, 1].contains(retried.exitCode), "seed \(Self.killSeed), retry after kill \(attempt): \(retried.stderr)")
                world.expectNothingSentTwice("seed \(Self.killSeed), after kill \(attempt) of tally-reconcile at request \(point)")
            }
            try await world.finishClean("seed \(Self.killSeed), after kills of tally-reconcile")
        }
    }

    @Test("SIGTERM while a Stripe answer is slow ends tally-reconcile within seconds with 75", arguments: StoreBackendUnderTest.all)
    func sigtermAbandonsSlowAnswer(backend: StoreBackendUnderTest) async throws {
        try await FaultWorld.run(on: backend) { world in
            // Given every Stripe answer after the first takes a minute (the first is the STRIPE_METER_ID check
            // JobMain makes with its bare client, before the job and its stop-aware context exist)
            let simulator = world.simulator
            // When the job's own first request is on its way and the job gets SIGTERM
            let stopped = try await world.runReconcile(timeout: .seconds(20)) { pid in
                simulator.whenRequest(number: 1) { simulator.setFaults(FaultPlan(latency: .seconds(60))) }
                simulator.whenRequest(number: 2) { kill(pid, SIGTERM) }
            }

            // Then it ends long before the answer would come, as interrupted (75), saying so
            #expect(!stopped.timedOut, "still running 20 s after SIGTERM")
            #expect(stopped.exitCode == 75, "\(stopped.stderr)")
            #expect(stopped.stderr.contains("SIGTERM"), "\(stopped.stderr)")
            try await world.finishClean("after SIGTERM")
        }
    }
}

/// A small seeded generator (SplitMix64), so the kill points of a run are replayed from its printed seed.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
