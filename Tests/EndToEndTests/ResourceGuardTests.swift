import Foundation
import Testing
import TestSupport

/// Options within their ranges whose products cannot run here: each is
/// refused before anything large is allocated, with the estimate and a
/// setting that fits, and the process exits 1 instead of aborting.
@Suite(.serialized) struct ResourceGuardTests {
    static var data: String { Recsh.dataDirectory }
    static var dataAvailable: Bool { FileManager.default.fileExists(atPath: data + "/u.data") }

    /// Runs `commands` after loading and splitting ML-100K; returns the run and the last command's JSON object.
    static func afterSplit(_ commands: String, extra: [String] = []) throws -> (run: Recsh.Run, last: [String: Any]) {
        let r = try Recsh.run(extra + ["--format", "json", "-c", "load ml-100k path=\"\(data)\"; split warm; \(commands)"])
        let last = try #require(r.objects.last, "no JSON output: \(r.stderr)")
        return (r, last)
    }

    static func error(_ object: [String: Any]) -> String { object["error"] as? String ?? "" }

    @Test func lshBenchCandidatesBeyondTheCatalogue() throws {
        let r = try Recsh.run(["--format", "json", "-c", "lsh bench items=1000 tables=256 candidates=100000000 runs=1"])
        #expect(r.status == 1)
        let o = try #require(r.objects.first)
        #expect(o["ok"] as? Bool == false)
        #expect(Self.error(o).contains("candidates: 100000000 is out of range 1...1000"))
    }

    @Test func lshBenchExactBaselineTooLong() throws {
        let r = try Recsh.run(["--format", "json", "-c", "lsh bench items=1000000 dim=1024 queries=100000 runs=1"])
        #expect(r.status == 1)
        let message = Self.error(try #require(r.objects.first))
        #expect(message.hasPrefix("lsh bench: one uninterruptible step is about"), "\(message)")
        #expect(message.contains("GFLOP") && message.contains(" fits"))
    }

    @Test func lshBenchUnderAMemoryLimit() throws {
        let r = try Recsh.run(["--format", "json", "-c", "set memory-limit=100m; lsh bench items=10000000 runs=1"])
        #expect(r.status == 1)
        let message = Self.error(try #require(r.objects.last))
        #expect(message.contains("more than the 100 MB available (memory-limit)"), "\(message)")
        #expect(message.contains("items="))
    }

    @Test(.enabled(if: dataAvailable)) func lshOnAModelWithTooManyCandidates() throws {
        let (r, last) = try Self.afterSplit("train pop as g; lsh model=g tables=256 candidates=100000000")
        #expect(r.status == 1)
        #expect(last["command"] as? String == "lsh")
        #expect(Self.error(last).contains("candidates: 100000000 is more than the 1682 items"))
    }

    @Test(.enabled(if: dataAvailable), arguments: [
        ("train gat epochs=1 hidden=4096 heads=64", "memory"),
        ("train gat epochs=1 heads=64 dim=4096", "memory"),
        ("train gcn dim=4096 hidden=4096 layers=8 epochs=1", "GFLOP"),
        ("train mf epochs=1 negatives=1000 batch=10000000 dim=4096", "GFLOP"),
        ("train ncf factors=1024 mlp=4096,4096,4096 negatives=1000", "memory"),
        ("train ncf epochs=1 negatives=1000 batch=10000000", "memory"),
        ("train ncf epochs=1 mlp=1024,4096,4096", "GFLOP"),
    ])
    func trainingOptionProductsAreRefused(command: String, limit: String) throws {
        let (r, last) = try Self.afterSplit(command + "; models")
        #expect(r.status == 1)
        let failed = try #require(r.objects.first { $0["command"] as? String == "train" })
        let message = Self.error(failed)
        #expect(message.hasPrefix("train \(command.split(separator: " ")[1]): "), "\(message)")
        #expect(message.contains(limit) && message.contains(" fits"), "\(message)")
        // The session is unchanged: no model was added.
        #expect((last["models"] as? [Any])?.isEmpty ?? true)
    }

    @Test(.enabled(if: dataAvailable)) func memoryLimitRefusesWhatWouldOtherwiseRun() throws {
        let (r, last) = try Self.afterSplit("set memory-limit=50m; train lightgcn epochs=1 dim=4096 layers=8")
        #expect(r.status == 1)
        let message = Self.error(last)
        #expect(message.contains("more than the 50 MB available (memory-limit)"), "\(message)")
        #expect(message.contains("dim=") && message.contains(" fits"))
    }

    @Test func memoryLimitSettingRoundTrips() throws {
        let r = try Recsh.run(["--format", "json", "-c", "set memory-limit=1.5g; show memory-limit; set memory-limit=lots"])
        #expect(r.status == 1)
        #expect((r.objects[1]["settings"] as? [String: Any])?["memory_limit"] as? String == "1.5 GB")
        #expect(Self.error(r.objects[2]).contains("memory-limit: expected a size"))
    }

    /// Runs `recsh --format json -c commands`, sends SIGINT (Ctrl-C) after
    /// `delay` seconds and again every five seconds until it exits, and
    /// returns the exit status and the last JSON object. A run that ignores
    /// the interrupts is killed after a generous deadline (a hang, not a timing).
    static func interrupted(_ commands: String, delay: Double) throws -> (status: Int32, last: [String: Any]?) {
        let path = try #require(Recsh.binary, "build the recsh product first (make test does)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--format", "json", "-c", commands]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-interrupt-\(UUID().uuidString).json")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        var next = Date().addingTimeInterval(delay)
        let deadline = Date().addingTimeInterval(600)
        while process.isRunning && Date() < deadline {
            if Date() >= next { process.interrupt(); next = Date().addingTimeInterval(5) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        if process.isRunning { process.terminate(); Issue.record("recsh ignored Ctrl-C: \(commands)") }
        process.waitUntilExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let last = text.split(separator: "\n").last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return (process.terminationStatus, last)
    }

    /// NCF's refusal offers MLP widths as a list, and that setting trains under the same limit.
    @Test(.enabled(if: dataAvailable)) func ncfUnderAMemoryLimitOffersWidthsThatFit() throws {
        let (r, last) = try Self.afterSplit("set memory-limit=40m; train ncf epochs=1 mlp=4096,2048,1024")
        #expect(r.status == 1)
        let message = Self.error(last)
        #expect(message.hasPrefix("train ncf: estimated cost: needs about"), "\(message)")
        #expect(message.contains("more than the 40 MB available (memory-limit)"), "\(message)")
        let mlp = try #require(message.split(separator: " ").first { $0.hasPrefix("mlp=") }, "\(message)")
        #expect(mlp.split(separator: ",").count == 3)
        let (again, trained) = try Self.afterSplit("set memory-limit=40m; train ncf epochs=1 \(mlp)")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(trained["command"] as? String == "train" && trained["ok"] as? Bool != false)
    }

    /// Long training within the budget runs batch by batch and stops on
    /// Ctrl-C: the model kept with `interrupted`, or (stopped in its first
    /// epoch) an error saying so.
    @Test(.enabled(if: dataAvailable), arguments: ["train ncf epochs=100000", "train lightgcn epochs=1 dim=4096 layers=8"])
    func longTrainingStopsOnCtrlC(command: String) throws {
        let r = try Self.interrupted("load ml-100k path=\"\(Self.data)\"; split warm; \(command)", delay: 4)
        let last = try #require(r.last)
        #expect(last["command"] as? String == "train")
        if r.status == 0 {
            #expect(last["interrupted"] as? Bool == true, "\(last)")
        } else {
            #expect(r.status == 1 && Self.error(last).contains("interrupted"), "\(last)")
        }
    }

    /// Ten million items fit; generating them polls Ctrl-C.
    @Test func largeLSHBenchStopsOnCtrlC() throws {
        let r = try Self.interrupted("lsh bench items=10000000 runs=1", delay: 2)
        #expect(r.status == 1)
        #expect(r.last.map(Self.error) == "lsh bench: interrupted before the first setting")
    }
}
