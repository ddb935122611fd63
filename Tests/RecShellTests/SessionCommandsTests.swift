import Foundation
import GraphRec
import Testing
@testable import RecShell

/// Real ml-100k for the session tests, and models trained once for all of them.
enum SessionFixture {
    /// `RECSH_TEST_DATA`, else `../shared/data/ml-100k` beside the package root.
    static let dataDirectory = ShellTestData.directory

    static var available: Bool { ShellTestData.available }

    static func temporaryDirectory(_ tag: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-\(tag)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A shell on `sessions` with ml-100k (from `data`) loaded and split warm.
    static func loadedShell(sessions: String, data: String = dataDirectory, format: OutputFormat = .table) -> Harness {
        let h = Harness(format: format)
        h.shell.session.settings.sessionsDirectory = sessions
        let ok = h.shell.run(line: "load ml-100k path=\"\(data)\"; split warm")
        precondition(ok, "fixture load failed: \(h.err)")
        return h
    }

    /// A short GCN through the engine's trainer, and two baselines, on the warm split's graph.
    static let models: Result<[TrainedModel], Error> = Result {
        let h = loadedShell(sessions: "/nonexistent")
        let graph = h.shell.session.graph!
        let options = try TrainOptions(OptionValues(["epochs": "1", "hidden": "16", "dim": "8", "batch": "4096"]))
        var gcn = GCN(graph: graph, options: options)
        let history = try Trainer(options: options).train(&gcn, on: graph)
        var out = [TrainedModel(name: "gcn", recommender: gcn, options: options.asDictionary, history: history,
                                embeddings: gcn.embed(graph), lastMetrics: ["ndcg": 0.1, "precision": 0.05],
                                lastMetricsOn: "test")]
        for kind in ["pop", "svd"] {
            let k = try ModelRegistry.kind(kind)
            let fit = try k.fit(FitRequest(graph: graph, options: try k.parse([:])))
            out.append(TrainedModel(name: kind, recommender: fit.recommender, options: [:], history: fit.history,
                                    scorer: fit.recommender.scorer(graph),
                                    lastMetrics: kind == "svd" ? ["ndcg": 0.2] : [:], lastMetricsOn: "test"))
        }
        return out
    }

    /// A loaded, split shell holding the three fixture models.
    static func trainedShell(sessions: String, format: OutputFormat = .table) throws -> Harness {
        let h = loadedShell(sessions: sessions, format: format)
        h.shell.session.models = try models.get()
        return h
    }

    static func topTen(_ session: Session, model: String, users: [Int]) -> [[Int]] {
        let m = session.model(named: model)!
        let lists = SessionCommands.topK(m.scorer, graph: session.graph!, users: session.dataset!.userCount, k: 10)
        return users.map { u in lists[u].map { $0.index } }
    }
}

@Suite(.serialized, .enabled(if: SessionFixture.available)) struct SessionCommandsTests {
    // MARK: round trip

    @Test func saveThenRestoreInAFreshShellGivesIdenticalModels() throws {
        let dir = try SessionFixture.temporaryDirectory("roundtrip")
        let a = try SessionFixture.trainedShell(sessions: dir, format: .json)
        #expect(a.shell.run(line: "save t1"), "\(a.err)")
        let saved = try #require(a.objects.last)
        #expect(saved["command"] as? String == "save" && saved["name"] as? String == "t1")
        #expect(saved["path"] as? String == URL(fileURLWithPath: dir).standardizedFileURL.path + "/t1")
        #expect((saved["bytes"] as? Int ?? 0) > 100_000)
        #expect(saved["seconds"] is Double)
        #expect(a.shell.session.lastSessionName == "t1")

        let b = Harness(format: .json)
        b.shell.session.settings.sessionsDirectory = dir
        #expect(b.shell.run(line: "restore t1"), "\(b.err)")
        let restored = try #require(b.objects.last)
        #expect(restored["models"] as? [String] == ["gcn", "pop", "svd"])
        #expect(restored["bytes"] as? Int == saved["bytes"] as? Int)

        let s = a.shell.session, r = b.shell.session
        #expect(r.split?.train == s.split?.train && r.split?.test == s.split?.test)
        #expect(r.graph?.edges == s.graph?.edges)
        #expect(r.dataset?.checksum == s.dataset?.checksum)
        #expect(r.lastSessionName == "t1")
        for (x, y) in zip(s.models, r.models) {
            #expect(x.name == y.name && x.kind == y.kind)
            #expect(x.embeddings == y.embeddings, "embeddings of \(x.name) differ after restore")
            #expect(x.options == y.options && x.history == y.history && x.lastMetrics == y.lastMetrics)
            // The weights came back too: the rebuilt model's forward pass gives the same embeddings.
            let again = (y.recommender as? any EmbeddingRecommender)?.embed(r.graph!)
            #expect(again == x.embeddings, "rebuilt \(x.name) embeds differently")
        }
        let users = [0, 1, 99, 942]
        for name in ["gcn", "pop", "svd"] {
            #expect(SessionFixture.topTen(s, model: name, users: users) == SessionFixture.topTen(r, model: name, users: users))
        }
    }

    @Test func saveWithoutNameReusesTheLastOneOrMakesOneFromTheDate() throws {
        let dir = try SessionFixture.temporaryDirectory("names")
        let h = SessionFixture.loadedShell(sessions: dir, format: .json)
        #expect(h.shell.run(line: "save"))
        let first = try #require(h.objects.last?["name"] as? String)
        #expect(first.hasPrefix("session-") && first.count == "session-20261129-1530".count)
        #expect(h.shell.run(line: "save mine; save"))
        #expect(h.objects.last?["name"] as? String == "mine")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == [first, "mine"])
    }

    @Test func badInputChangesNothing() throws {
        let dir = try SessionFixture.temporaryDirectory("bad")
        let empty = Harness()
        empty.shell.session.settings.sessionsDirectory = dir
        #expect(!empty.shell.run(line: "save x"))
        #expect(empty.err.contains("save: no data loaded"))

        let h = SessionFixture.loadedShell(sessions: dir)
        for line in ["save ../up", "save a/b", "save .hidden"] {
            h.err = ""
            #expect(!h.shell.run(line: line))
            #expect(h.err.contains("invalid session name"), "\(line): \(h.err)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        h.err = ""
        #expect(!h.shell.run(line: "restore nope"))
        #expect(h.err.contains("no saved session 'nope'"))
        #expect(h.shell.session.dataset != nil && h.shell.session.split != nil)
    }

    // MARK: faults

    /// Saves the fixture as `t`, damages it with `damage`, and checks that `restore t`
    /// fails with a message containing `expected` while the current session is untouched.
    func expectRestoreFails(_ tag: String, expected: [String], damage: (String) throws -> Void) throws {
        let dir = try SessionFixture.temporaryDirectory(tag)
        let a = try SessionFixture.trainedShell(sessions: dir)
        #expect(a.shell.run(line: "save t"))
        try damage(dir + "/t")

        let b = SessionFixture.loadedShell(sessions: dir)
        #expect(b.shell.run(line: "split warm seed=7; save other"))
        let before = b.shell.session
        b.err = ""
        #expect(!b.shell.run(line: "restore t"), "\(tag): restore should fail")
        for text in expected { #expect(b.err.contains(text), "\(tag): '\(text)' not in \(b.err)") }
        #expect(b.err.split(separator: "\n").count == 1, "\(tag): one clear error line, got \(b.err)")
        let after = b.shell.session
        #expect(after.split?.train == before.split?.train && after.split?.seed == 7)
        #expect(after.models.isEmpty && after.lastSessionName == "other")
        #expect(after.transcript.count == before.transcript.count)
    }

    @Test(arguments: [0, 4, 8, 100, 50_000, -1])
    func truncatedTensorsFile(at offset: Int) throws {
        try expectRestoreFails("truncate\(offset)", expected: ["tensors.safetensors"]) { path in
            let file = path + "/tensors.safetensors"
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let cut = offset >= 0 ? offset : data.count - 1
            try data.prefix(cut).write(to: URL(fileURLWithPath: file))
        }
    }

    @Test func flippedHeaderBytes() throws {
        try expectRestoreFails("flip", expected: ["tensors.safetensors"]) { path in
            let file = path + "/tensors.safetensors"
            var data = try Data(contentsOf: URL(fileURLWithPath: file))
            for i in [9, 20, 40] { data[i] ^= 0x5A }
            try data.write(to: URL(fileURLWithPath: file))
        }
    }

    @Test func flippedWeightByte() throws {
        try expectRestoreFails("weight", expected: ["tensors.safetensors", "checksum"]) { path in
            let file = path + "/tensors.safetensors"
            var data = try Data(contentsOf: URL(fileURLWithPath: file))
            data[data.count - 3] ^= 0x01
            try data.write(to: URL(fileURLWithPath: file))
        }
    }

    @Test func deletedManifest() throws {
        try expectRestoreFails("manifest", expected: ["manifest.json", "missing"]) { path in
            try FileManager.default.removeItem(atPath: path + "/manifest.json")
        }
    }

    @Test func differentDataSetAtThePath() throws {
        // A copy of ml-100k, saved from, then one rating changed.
        let copy = try SessionFixture.temporaryDirectory("data-copy")
        for file in DatasetLocator.ml100kFiles {
            try FileManager.default.copyItem(atPath: SessionFixture.dataDirectory + "/" + file, toPath: copy + "/" + file)
        }
        let dir = try SessionFixture.temporaryDirectory("otherdata")
        let a = SessionFixture.loadedShell(sessions: dir, data: copy)
        #expect(a.shell.run(line: "save t"))
        let ratings = copy + "/u.data"
        var text = try String(contentsOfFile: ratings, encoding: .utf8)
        let firstLine = text.prefix { $0 != "\n" }
        var fields = firstLine.split(separator: "\t").map(String.init)
        fields[2] = fields[2] == "1" ? "5" : "1"
        text.replaceSubrange(text.startIndex..<firstLine.endIndex, with: fields.joined(separator: "\t"))
        try text.write(toFile: ratings, atomically: true, encoding: .utf8)

        let b = SessionFixture.loadedShell(sessions: dir)
        #expect(!b.shell.run(line: "restore t"))
        #expect(b.err.contains("differs from the one the session was saved with"), "\(b.err)")
        #expect(b.err.contains(copy) && b.err.contains("manifest.json"))
        #expect(b.shell.session.dataset?.directory == SessionFixture.dataDirectory)

        try FileManager.default.removeItem(atPath: copy)
        let c = SessionFixture.loadedShell(sessions: dir)
        #expect(!c.shell.run(line: "restore t"))
        #expect(c.err.contains("cannot reload the data set from \(copy)"), "\(c.err)")
    }

    // MARK: sessions

    @Test func sessionsListsBundlesAndUnreadableOnes() throws {
        let dir = try SessionFixture.temporaryDirectory("list")
        let h = try SessionFixture.trainedShell(sessions: dir, format: .json)
        #expect(h.shell.run(line: "sessions"))
        #expect((h.objects.last?["sessions"] as? [Any])?.isEmpty == true)
        #expect(h.shell.run(line: "save good"))
        try FileManager.default.createDirectory(atPath: dir + "/broken", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/broken/manifest.json"))
        #expect(h.shell.run(line: "sessions"))
        let rows = try #require(h.objects.last?["sessions"] as? [[String: Any]])
        #expect(rows.map { $0["name"] as? String } == ["broken", "good"])
        #expect(rows[0]["readable"] as? Bool == false)
        #expect((rows[0]["problem"] as? String)?.contains("manifest.json") == true)
        #expect(rows[1]["readable"] as? Bool == true)
        #expect((rows[1]["models"] as? [[String: Any]])?.count == 3)
        let best = try #require(rows[1]["best"] as? [String: Any])
        #expect(best["model"] as? String == "svd" && best["metric"] as? String == "ndcg" && best["value"] as? Double == 0.2)

        let t = try SessionFixture.trainedShell(sessions: dir)
        #expect(t.shell.run(line: "sessions"))
        #expect(t.out.contains("unreadable:") && t.out.contains("svd ndcg 0.2000 (test)"))
    }

    // MARK: export

    @Test func exportEmbeddingsAsSafetensorsCSVAndJSON() throws {
        let dir = try SessionFixture.temporaryDirectory("export")
        let h = try SessionFixture.trainedShell(sessions: dir, format: .json)
        let gcn = h.shell.session.model(named: "gcn")!
        #expect(h.shell.run(line: "export embeddings model=gcn \(dir)/e.safetensors"), "\(h.err)")
        let file = try SafeTensors.read(path: dir + "/e.safetensors")
        #expect(file["users"]?.matrix == gcn.embeddings?.users && file["movies"]?.matrix == gcn.embeddings?.items)
        guard case .int32(let userIDs, let shape)? = file["user_ids"] else { Issue.record("no user_ids"); return }
        #expect(shape == [943] && userIDs.first == 1 && userIDs.last == 943)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/e.safetensors")[.size] as? Int
        #expect(h.objects.last?["bytes"] as? Int == size)

        #expect(h.shell.run(line: "export embeddings \(dir)/e.csv"))  // last model: svd
        let csv = try String(contentsOfFile: dir + "/e.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 943 + 1682)
        #expect(csv[944].hasPrefix("movie,1,Toy Story (1995),"))
        #expect(h.objects.last?["model"] as? String == "svd")

        #expect(h.shell.run(line: "export embeddings model=pop \(dir)/e.json"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/e.json"))) as? [String: Any]
        #expect((json?["movies"] as? [Any])?.count == 1682 && json?["model"] as? String == "pop")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test func exportRecommendationsExcludesTrainPositives() throws {
        let dir = try SessionFixture.temporaryDirectory("recs")
        let h = try SessionFixture.trainedShell(sessions: dir)
        #expect(h.shell.run(line: "export recommendations model=gcn k=5 \(dir)/r.csv"), "\(h.err)")
        let lines = try String(contentsOfFile: dir + "/r.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "user,rank,movie,title,score")
        #expect(lines.count == 1 + 943 * 5)
        let session = h.shell.session
        let liked = Set(session.graph!.movies(ofUser: 0).map { session.dataset!.movies[Int($0)].id.number ?? -1 })
        let firstUser = lines.dropFirst().prefix(5).map { $0.split(separator: ",") }
        #expect(firstUser.map { $0[0] } == Array(repeating: "1", count: 5) && firstUser.map { $0[1] } == ["1", "2", "3", "4", "5"])
        #expect(firstUser.allSatisfy { !liked.contains(Int($0[2])!) })
        let expected = SessionFixture.topTen(session, model: "gcn", users: [0])[0].prefix(5).map { session.dataset!.movies[$0].id.number ?? -1 }
        #expect(firstUser.map { Int($0[2])! } == Array(expected))

        #expect(h.shell.run(line: "export recommendations model=svd \(dir)/r.json"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any]
        let users = try #require(json?["users"] as? [[String: Any]])
        #expect(users.count == 943 && (users[0]["items"] as? [Any])?.count == 10)
    }

    @Test func exportMetricsAndRefusals() throws {
        let dir = try SessionFixture.temporaryDirectory("metrics")
        let h = try SessionFixture.trainedShell(sessions: dir)
        #expect(h.shell.run(line: "export metrics \(dir)/m.csv"))
        let csv = try String(contentsOfFile: dir + "/m.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv == ["model,kind,on,ndcg,precision", "gcn,gcn,test,0.1,0.05", "pop,pop,test,,", "svd,svd,test,0.2,"])
        #expect(h.shell.run(line: "export metrics model=gcn \(dir)/m.json"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))) as? [String: Any]
        #expect((json?["models"] as? [[String: Any]])?.first?["model"] as? String == "gcn")

        for (line, message) in [
            ("export embeddings \(dir)/e.txt", "use .safetensors, .csv or .json"),
            ("export metrics \(dir)/m.safetensors", "use .csv or .json"),
            ("export weights \(dir)/w.csv", "WHAT=weights is not one of"),
            ("export embeddings model=nope \(dir)/e.csv", "no model named 'nope'"),
            ("export embeddings \(dir)/missing/e.csv", "does not exist"),
            ("export embeddings", "missing FILE"),
        ] {
            h.err = ""
            #expect(!h.shell.run(line: line))
            #expect(h.err.contains(message), "\(line): \(h.err)")
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["m.csv", "m.json"])
    }

    // MARK: notebook

    @Test func transcriptMarkdownRoundTrips() {
        let entries = [TranscriptEntry(line: "load ml-100k", output: "users  943\nmovies 1682", seconds: 0),
                       TranscriptEntry(line: "help run", output: "has ``` inside\n````", seconds: 0),
                       TranscriptEntry(line: "set k=5", output: "", seconds: 0)]
        let text = Transcript.markdown(entries, heading: "recsh notebook 't'")
        #expect(text.hasPrefix("# recsh notebook 't'\n\nload ml-100k\n\n```text\nusers  943\nmovies 1682\n```\n"))
        #expect(text.contains("\n`````text\nhas ``` inside\n````\n`````\n"))
        #expect(Transcript.entries(fromMarkdown: text) == entries)
    }

    @Test func savedTranscriptReplaysWithRun() throws {
        let dir = try SessionFixture.temporaryDirectory("replay")
        let a = SessionFixture.loadedShell(sessions: dir)
        #expect(a.shell.run(line: "split warm ratios=70/10/20 seed=5; set k=7; show k"))
        #expect(a.shell.run(line: "save nb"))
        let notebook = try String(contentsOfFile: dir + "/nb/transcript.md", encoding: .utf8)
        #expect(notebook.hasPrefix("# recsh notebook 'nb'"))
        #expect(notebook.contains("\nsplit warm ratios=70/10/20 seed=5\n\n```text\n"))

        let b = Harness()
        #expect(b.shell.run(line: "run \(dir)/nb/transcript.md"), "\(b.err)")
        #expect(b.err.isEmpty)
        #expect(b.shell.session.split?.train == a.shell.session.split?.train)
        #expect(b.shell.session.settings.k == 7)
        // Same commands, same outputs (load's timing aside).
        let original = a.shell.session.transcript.filter { !$0.line.hasPrefix("load") && !$0.line.hasPrefix("save") }
        let replayed = b.shell.session.transcript.filter { !$0.line.hasPrefix("load") && !$0.line.hasPrefix("run") }
        #expect(original.map(\.line) == replayed.map(\.line))
        #expect(original.map(\.output) == replayed.map(\.output))

        // Restore brings the notebook back; saving again keeps it whole.
        let c = Harness()
        c.shell.session.settings.sessionsDirectory = dir
        #expect(c.shell.run(line: "restore nb"))
        #expect(c.shell.session.transcript.dropLast().map(\.line) == a.shell.session.transcript.dropLast().map(\.line))
        #expect(c.shell.session.transcript.last?.line == "restore nb")
    }

    @Test func runSkipsFencesAndNamesFileAndLine() throws {
        let dir = try SessionFixture.temporaryDirectory("script")
        let script = dir + "/s.recsh"
        try """
            # a comment
            set k=3

            ```text
            this is output, not a command
            ```
            nonsense here
            set k=4
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let h = Harness()
        #expect(!h.shell.run(line: "run \(script)"))
        #expect(h.err.contains("\(script):7: unknown command 'nonsense'"), "\(h.err)")
        #expect(!h.err.contains("this"))
        #expect(h.shell.session.settings.k == 4)

        let bail = Harness(bail: true)
        #expect(!bail.shell.run(line: "run \(script)"))
        #expect(bail.shell.session.settings.k == 3)
    }

    @Test func tourNotebookParsesAgainstTheRegistry() throws {
        // Every command line of the shipped tour is a known command with known options.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOfFile: root.appendingPathComponent("Sessions/tour.recsh").path, encoding: .utf8)
        var commands = 0
        for line in text.split(separator: "\n") {
            for raw in try Tokenizer.commands(in: String(line)) {
                _ = try CommandParser.parse(raw, registry: .standard)
                commands += 1
            }
        }
        #expect(commands >= 10)
    }
}
