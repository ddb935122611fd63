import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct BinaryTests {
    @Test func binaryExistsBesideTheTests() {
        #expect(Recsh.binary != nil)
    }

    @Test func commandsSucceedWithExitZero() throws {
        let r = try Recsh.run(["--format", "json", "-c", "set k=5; show k"])
        #expect(r.status == 0)
        #expect(r.objects.count == 2)
        #expect(r.objects.allSatisfy { $0["ok"] as? Bool == true })
        #expect(r.stdout.split(separator: "\n").count == 2)
    }

    @Test func helpTrainInJSON() throws {
        let r = try Recsh.run(["--format", "json", "-c", "help train"])
        #expect(r.status == 0)
        let object = try #require(r.objects.first)
        #expect(object["command"] as? String == "help")
        #expect(object["name"] as? String == "train")
        let options = try #require(object["options"] as? [[String: Any]])
        #expect(options.contains { $0["name"] as? String == "epochs" && ($0["default"] as? String)?.contains("others 15") == true })
        #expect(options.contains { $0["name"] as? String == "loss" && ($0["values"] as? [String])?.contains("bce") == true })
        #expect((object["example"] as? String)?.hasPrefix("train ") == true)
    }

    @Test func helpTrainAsTable() throws {
        let r = try Recsh.run(["-c", "help train"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("usage: train MODEL [as NAME] [key=value ...]"))
        #expect(!r.stdout.contains("\u{1B}"))  // not a terminal: no colour
    }

    @Test func unknownCommandFailsWithOne() throws {
        let r = try Recsh.run(["--format", "json", "-c", "trian gcn"])
        #expect(r.status == 1)
        let object = try #require(r.objects.first)
        #expect(object["ok"] as? Bool == false)
        #expect(object["command"] as? String == "trian")
        #expect((object["error"] as? String)?.contains("did you mean 'train'") == true)
    }

    @Test func badOptionNamesItAndTheAcceptedOnes() throws {
        let r = try Recsh.run(["-c", "eval gcn k=10 foo=1"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: eval: unknown option 'foo' (accepted: on, k, lsh, protocol)\n")
    }

    /// NCF end to end: it trains, evaluates, recommends, saves and restores
    /// with the same scores, answers a new user by fold-in, and refuses the
    /// embedding-only commands with a reason.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Recsh.dataDirectory + "/u.data"), "needs ML-100K"))
    func ncfTrainsEvaluatesSavesAndRestores() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-ncf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Recsh.run(["--format", "json", "--sessions", dir, "-c",
                               "load ml-100k path=\(Recsh.dataDirectory); split warm; train ncf epochs=2; eval; recommend 1; "
                                   + "save n; restore n; eval; recommend 1; newuser likes=50,181,172; newuser; "
                                   + "whatif user 1 likes 1000; lsh planes=4; export embeddings \(dir)/e.csv; "
                                   + "export recommendations \(dir)/r.csv; similar 50"])
        let byCommand = r.objects.map { ($0["command"] as? String ?? "", $0) }
        let failed = byCommand.filter { $0.1["ok"] as? Bool == false }.map(\.0)
        #expect(failed == ["lsh", "export"], "\(r.stderr)")
        #expect(r.status == 1)
        let evals = byCommand.filter { $0.0 == "eval" }.compactMap { ($0.1["results"] as? [[String: Any]])?.first?["ndcg"] as? Double }
        #expect(evals.count == 2 && evals[0] == evals[1] && evals[0] > 0.05)
        let recs = byCommand.filter { $0.0 == "recommend" }.map { ($0.1["items"] as? [[String: Any]] ?? []).compactMap { $0["movie"] as? Int } }
        #expect(recs.count == 2 && recs[0].count == 10 && recs[0] == recs[1])
        let lsh = byCommand.first { $0.0 == "lsh" }?.1["error"] as? String ?? ""
        #expect(lsh.contains("not a dot product"))
        #expect(FileManager.default.fileExists(atPath: dir + "/r.csv"))
        let newusers = byCommand.filter { $0.0 == "newuser" }.map { ($0.1["items"] as? [[String: Any]] ?? []).compactMap { $0["movie"] as? Int } }
        #expect(newusers.count == 2 && newusers[0].count == 10 && !newusers[0].contains(50) && newusers[0] != newusers[1])
    }

    @Test func bailStopsAtTheFirstFailure() throws {
        let without = try Recsh.run(["--format", "json", "-c", "nope; show k"])
        #expect(without.status == 1)
        #expect(without.objects.count == 2)
        let with = try Recsh.run(["--bail", "--format", "json", "-c", "nope; show k"])
        #expect(with.status == 1)
        #expect(with.objects.count == 1)
    }

    @Test func pipedStdin() throws {
        let r = try Recsh.run(["--format", "json"], stdin: "set k=3 # comment\n\nshow k\nset k=x\n")
        #expect(r.status == 1)
        #expect(r.objects.count == 3)
        #expect(r.objects[2]["error"] as? String == "stdin:4: k: expected a whole number, got 'x'")
        let ok = try Recsh.run(["--quiet"], stdin: "show format\n")
        #expect(ok.status == 0)
        #expect(ok.stdout == "format: table\n")
    }

    @Test func scriptFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let good = dir.appendingPathComponent("good.recsh").path
        let bad = dir.appendingPathComponent("bad.recsh").path
        try "# settings\nset k=4; timer off\n\nshow k\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "show k\nunknown-thing\nshow k\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try Recsh.run(["--format", "json", good])
        #expect(r.status == 0)
        #expect(r.objects.count == 3)
        let b = try Recsh.run([good, bad, "--bail"])
        #expect(b.status == 1)
        #expect(b.stderr.contains("\(bad):2: unknown command 'unknown-thing'"))
        // "k: 4" from set and show in good, then bad's first show; --bail stops before its second.
        #expect(b.stdout.components(separatedBy: "k: ").count == 4)
    }

    @Test func csvAndMarkdownFormats() throws {
        let csv = try Recsh.run(["--format", "csv", "-c", "show k"])
        #expect(csv.stdout == "settings.k\n10\n")
        let md = try Recsh.run(["--format", "markdown", "-c", "show k"])
        #expect(md.stdout == "- **k**: 10\n\n")
    }

    @Test func startupFileRunsFirstUnlessNoRC() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-rc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rc = dir.appendingPathComponent("recshrc").path
        try "set k=7\n".write(toFile: rc, atomically: true, encoding: .utf8)
        let r = try Recsh.run(["--quiet", "-c", "show k"], environment: ["RECSH_RC": rc])
        #expect(r.stdout == "k: 7\n", "the start-up file's own results are not shown: \(r.stdout)")
        let skipped = try Recsh.run(["--quiet", "--no-rc", "-c", "show k"], environment: ["RECSH_RC": rc])
        #expect(skipped.stdout == "k: 10\n")
    }

    @Test func echoAndQuiet() throws {
        let e = try Recsh.run(["--echo", "--quiet", "-c", "show k; show seed"])
        #expect(e.stdout == "recsh> show k; show seed\nk: 10\nseed: 0\n")
        let q = try Recsh.run(["--quiet", "--format", "json", "-c", "show progress; show hints; models"])
        #expect(q.stdout.contains("\"progress\":false"))
        #expect(q.stdout.contains("\"hints\":false"))
        #expect(!q.stderr.contains("next:"))
        let loud = try Recsh.run(["--format", "json", "-c", "models"])
        #expect(loud.stderr.contains("next: load ml-100k"))
        #expect(!loud.stdout.contains("next:"))
    }

    @Test func badInvocationExitsTwo() throws {
        #expect(try Recsh.run(["--format", "xml", "-c", "show"]).status == 2)
        #expect(try Recsh.run(["--no-such-flag"]).status == 2)
        #expect(try Recsh.run(["-c", "show", "script.recsh"]).status == 2)
    }

    @Test func versionAndHelpFlags() throws {
        let v = try Recsh.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.split(separator: ".").count == 3)
        let h = try Recsh.run(["--help"])
        #expect(h.status == 0)
        #expect(h.stdout.contains("--format"))
    }

    @Test func emptyInputIsSuccess() throws {
        let r = try Recsh.run([], stdin: "")
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
    }

    @Test func restoreFlagRunsRestoreFirst() throws {
        let r = try Recsh.run(["--format", "json", "--restore", "tour", "-c", "show k"])
        #expect(r.status == 1)  // no bundle called 'tour' in ./Sessions: restore fails first and nothing else runs
        #expect(r.objects.first?["command"] as? String == "restore")
        #expect(r.objects.count == 1)
    }
}
