import Foundation
import Testing
import TallyTestKit

/// `scripts/install` staged into a temporary `DESTDIR` with the executables `swift build` made: the layout
/// a sysadmin gets, the file modes secrets need, units `systemd-analyze verify` accepts, an upgrade that
/// keeps configuration and state, and `scripts/uninstall`. (Under DESTDIR the script creates no user,
/// changes no owners and calls no systemctl; those need a live system.)
@Suite("scripts/install")
struct InstallScriptTests {
    static let jobs = ["events", "reconcile", "retry", "alerts", "report"]

    struct Staging {
        var root: URL
        var bin: URL
        var destdir: URL

        func path(_ path: String) -> String { destdir.path + path }

        func mode(_ path: String) throws -> Int {
            try (FileManager.default.attributesOfItem(atPath: self.path(path))[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }

        func run(_ script: String, _ arguments: [String]) async throws -> JobProcess.Result {
            try await JobProcess.run(root.appendingPathComponent("scripts/\(script)"), arguments: arguments,
                                     environment: ["DESTDIR": destdir.path, "HOME": destdir.path],
                                     currentDirectory: destdir)
        }
    }

    static func staging() throws -> Staging {
        let executable = try JobProcess.builtExecutable("tally-reconcile")
        let bin = executable.deletingLastPathComponent()
        let destdir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: destdir, withIntermediateDirectories: true)
        return Staging(root: bin.deletingLastPathComponent().deletingLastPathComponent(), bin: bin, destdir: destdir)
    }

    @Test("installs executables, wrappers, an owner-only env file, the example config, directories and units")
    func layoutAndModes() async throws {
        // Given a fresh temporary root,
        let staging = try Self.staging()
        defer { try? FileManager.default.removeItem(at: staging.destdir) }

        // when scripts/install stages the built jobs into it with systemd timers,
        let result = try await staging.run("install", ["--from", staging.bin.path, "--scheduler", "systemd"])

        // then it succeeds, saying what it skipped under DESTDIR,
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("DESTDIR: not creating the tally user"))
        #expect(result.stderr.contains("systemd-analyze verify accepts the units"))
        // the job executables (only those) are installed and executable, the wrappers know where they are,
        for job in Self.jobs {
            #expect(try staging.mode("/usr/local/bin/tally-\(job)") == 0o755)
            #expect(try staging.mode("/usr/local/lib/tally/jobs/\(job)") == 0o755)
        }
        #expect(!FileManager.default.fileExists(atPath: staging.path("/usr/local/bin/tally-sandbox")))
        #expect(!FileManager.default.fileExists(atPath: staging.path("/usr/local/bin/tally-bench")))
        let run = try String(contentsOfFile: staging.path("/usr/local/lib/tally/jobs/run"), encoding: .utf8)
        #expect(run.contains("installed_bin=\"/usr/local/bin\""))
        // the env file holding secrets is owner-only, from the commented template, and the config has PLANS,
        #expect(try staging.mode("/etc/tally/tally.env") == 0o600)
        let env = try String(contentsOfFile: staging.path("/etc/tally/tally.env"), encoding: .utf8)
        #expect(env.contains("#STRIPE_SECRET_KEY=") && env.contains("REPORTS_DIR=/var/lib/tally/reports"))
        let yaml = try String(contentsOfFile: staging.path("/etc/tally/tally.yaml"), encoding: .utf8)
        #expect(yaml.contains("\nPLANS:\n"))
        // state, reports, locks and logs have their directories, closed to others,
        for directory in ["/var/lib/tally", "/var/lib/tally/reports", "/var/lib/tally/lock", "/var/log/tally", "/etc/tally"] {
            #expect(try staging.mode(directory) == 0o750, "\(directory)")
        }
        // a service and a timer per job, in UTC, catching up missed runs, reporting failures,
        for job in Self.jobs {
            let service = try String(contentsOfFile: staging.path("/etc/systemd/system/tally-\(job).service"), encoding: .utf8)
            #expect(service.contains("ExecStart=/usr/local/lib/tally/jobs/run \(job)\n"))
            #expect(service.contains("OnFailure=tally-failure@%n.service"))
            #expect(service.contains("User=tally"))
            let timer = try String(contentsOfFile: staging.path("/etc/systemd/system/tally-\(job).timer"), encoding: .utf8)
            let calendars = timer.split(separator: "\n").filter { $0.hasPrefix("OnCalendar=") }
            #expect(!calendars.isEmpty && calendars.allSatisfy { $0.hasSuffix(" UTC") }, "\(job): \(calendars)")
            #expect(timer.contains("Persistent=true"))
        }
        #expect(FileManager.default.fileExists(atPath: staging.path("/etc/systemd/system/tally-failure@.service")))
        #expect(FileManager.default.fileExists(atPath: staging.path("/etc/logrotate.d/tally")))
        #expect(FileManager.default.fileExists(atPath: staging.path("/usr/local/share/doc/tally/runbook.md")))
        // and with systemd chosen, no cron file runs the jobs a second time.
        #expect(!FileManager.default.fileExists(atPath: staging.path("/etc/cron.d/tally")))
    }

    @Test("systemd-analyze verify accepts the installed units, and the nightly order holds in UTC")
    func unitsVerify() async throws {
        // Given the units as installed,
        let staging = try Self.staging()
        defer { try? FileManager.default.removeItem(at: staging.destdir) }
        let install = try await staging.run("install", ["--from", staging.bin.path, "--scheduler", "systemd"])
        #expect(install.exitCode == 0, "\(install.stderr)")

        // when systemd-analyze checks them (with the staged wrappers standing in for /usr/local, which
        // verify requires to exist; needs the `systemd` package, which scripts/install-deps installs),
        let units = staging.destdir.appendingPathComponent("units")
        try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
        var files: [String] = []
        let installed = staging.path("/etc/systemd/system")
        for name in try FileManager.default.contentsOfDirectory(atPath: installed).sorted() {
            let text = try String(contentsOfFile: "\(installed)/\(name)", encoding: .utf8)
                .replacingOccurrences(of: "=/usr/local/", with: "=\(staging.destdir.path)/usr/local/")
            try text.write(to: units.appendingPathComponent(name), atomically: true, encoding: .utf8)
            files.append(units.appendingPathComponent(name).path)
        }
        #expect(files.count == 11)
        let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        #expect(FileManager.default.isExecutableFile(atPath: analyze.path), "install the systemd package (scripts/install-deps)")
        let verify = try await JobProcess.run(analyze, arguments: ["verify", "--man=no"] + files,
                                              environment: ["SYSTEMD_LOG_LEVEL": "warning"])

        // then it finds nothing wrong,
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        // and the timers run the night in order: events -> reconcile -> retry -> reconcile -> alerts -> report.
        func times(_ job: String) throws -> [String] {
            try String(contentsOfFile: staging.path("/etc/systemd/system/tally-\(job).timer"), encoding: .utf8)
                .split(separator: "\n").filter { $0.hasPrefix("OnCalendar=") }.map { String($0.dropFirst("OnCalendar=".count)) }
        }
        #expect(try times("events") == ["*-*-* *:15:00 UTC"])
        #expect(try times("reconcile") == ["*-*-* 02:10:00 UTC", "*-*-* 03:20:00 UTC"])
        #expect(try times("retry") == ["*-*-* 02:40:00 UTC"])
        #expect(try times("report") == ["*-*-* 04:30:00 UTC"])
    }

    @Test("an upgrade keeps the env file, config and state; --scheduler cron writes a UTC-guarded /etc/cron.d/tally")
    func upgradeKeepsConfiguration() async throws {
        // Given an installation whose env file, config and state were filled in,
        let staging = try Self.staging()
        defer { try? FileManager.default.removeItem(at: staging.destdir) }
        let first = try await staging.run("install", ["--from", staging.bin.path, "--scheduler", "systemd"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        try "STRIPE_METER_ID=mtr_ours\n".write(toFile: staging.path("/etc/tally/tally.env"), atomically: false, encoding: .utf8)
        try "PLANS:\n  prod_Ours:\n    tokens: 5\n".write(toFile: staging.path("/etc/tally/tally.yaml"), atomically: false, encoding: .utf8)
        try "state".write(toFile: staging.path("/var/lib/tally/tally.sqlite"), atomically: false, encoding: .utf8)

        // when it is installed again (an upgrade), switching to cron,
        let upgrade = try await staging.run("install", ["--from", staging.bin.path, "--scheduler", "cron"])

        // then the configuration and state are untouched and the env file keeps its mode,
        #expect(upgrade.exitCode == 0, "\(upgrade.stderr)")
        #expect(try String(contentsOfFile: staging.path("/etc/tally/tally.env"), encoding: .utf8) == "STRIPE_METER_ID=mtr_ours\n")
        #expect(try String(contentsOfFile: staging.path("/etc/tally/tally.yaml"), encoding: .utf8).contains("prod_Ours"))
        #expect(try String(contentsOfFile: staging.path("/var/lib/tally/tally.sqlite"), encoding: .utf8) == "state")
        #expect(try staging.mode("/etc/tally/tally.env") == 0o600)
        #expect(upgrade.stderr.contains("kept /etc/tally/tally.env"))
        // and the cron file schedules every job behind the UTC-hour guard, never relying on CRON_TZ.
        let cron = try String(contentsOfFile: staging.path("/etc/cron.d/tally"), encoding: .utf8)
        #expect(!cron.split(separator: "\n").contains { $0.hasPrefix("CRON_TZ") })
        #expect(cron.contains("tally  /usr/local/lib/tally/jobs/at-utc-hour 02 /usr/local/lib/tally/jobs/run reconcile"))
        #expect(cron.contains("tally  /usr/local/lib/tally/jobs/at-utc-hour 03 /usr/local/lib/tally/jobs/run reconcile"))

        // When it is uninstalled, the programs go and the configuration and state stay.
        let uninstall = try await staging.run("uninstall", [])
        #expect(uninstall.exitCode == 0, "\(uninstall.stderr)")
        #expect(!FileManager.default.fileExists(atPath: staging.path("/usr/local/bin/tally-reconcile")))
        #expect(!FileManager.default.fileExists(atPath: staging.path("/etc/systemd/system/tally-reconcile.timer")))
        #expect(!FileManager.default.fileExists(atPath: staging.path("/etc/cron.d/tally")))
        #expect(FileManager.default.fileExists(atPath: staging.path("/etc/tally/tally.env")))
        #expect(FileManager.default.fileExists(atPath: staging.path("/var/lib/tally/tally.sqlite")))
    }

    @Test("a bad option is a usage error (64) and writes nothing")
    func badOption() async throws {
        let staging = try Self.staging()
        defer { try? FileManager.default.removeItem(at: staging.destdir) }
        let result = try await staging.run("install", ["--scheduler", "launchd"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("--scheduler is systemd, cron or none"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.destdir.path).isEmpty)
    }
}
