import Foundation
import GraphRec
import Testing
import TestSupport
@testable import RecShell

/// The real ML-100K for shell tests: RECSH_TEST_DATA, else ../shared/data/ml-100k from the package root.
/// The one place this test target locates it; the other fixtures ask here.
enum ShellTestData {
    static var directory: String { TestData.ml100k }
    static var available: Bool { TestData.ml100kAvailable }

    /// A JSON shell with ml-100k loaded and split warm (seed 0).
    static func splitHarness() -> Harness {
        let h = Harness(format: .json)
        h.shell.run(line: "load ml-100k path=\"\(directory)\"; split warm seed=0")
        return h
    }
}

/// Counts `shouldStop` polls and answers true after `limit` of them: a scripted Ctrl-C.
final class StopAfter: @unchecked Sendable {
    private let lock = NSLock()
    private var polls = 0
    let limit: Int
    init(_ limit: Int) { self.limit = limit }
    func poll() -> Bool {
        lock.lock(); defer { lock.unlock() }
        polls += 1
        return polls > limit
    }
}

/// train, models, eval, compare, recommend, similar, plot and bench driven through a `Shell`.
@Suite(.serialized, .enabled(if: ShellTestData.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct ModelCommandsTests {
    static let small = "epochs=1 hidden=16 dim=8"

    @Test func trainEvalRecommendSimilarModelsPlot() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train gcn \(Self.small)"))
        let train = try #require(h.objects.last)
        #expect(train["command"] as? String == "train")
        #expect(train["model"] as? String == "gcn")
        #expect(train["kind"] as? String == "gcn")
        #expect(train["epochs"] as? Int == 1)
        #expect((train["seconds_per_epoch"] as? Double ?? 0) > 0)
        #expect((train["final_loss"] as? Double ?? 0) > 0)
        let val = try #require(train["val"] as? [String: Any])
        #expect((val["ndcg"] as? Double ?? -1) > 0)
        #expect(Set(val.keys) == ["precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map"])

        #expect(h.shell.run(line: "eval"))
        let results = try #require(h.objects.last?["results"] as? [[String: Any]])
        #expect(results.count == 1)
        let r = results[0]
        #expect(r["model"] as? String == "gcn" && r["on"] as? String == "test" && r["k"] as? Int == 10)
        #expect((r["users"] as? Int ?? 0) > 900)
        for key in ["precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map"] {
            let v = try #require(r[key] as? Double, "\(key)")
            #expect(v > 0 && v <= 1, "\(key) = \(v)")
        }
        #expect((r["users_per_second"] as? Double ?? 0) > 0)
        #expect(h.shell.session.models[0].lastMetricsOn == "test@10")
        #expect(abs((h.shell.session.models[0].lastMetrics["ndcg"] ?? -1) - (r["ndcg"] as? Double ?? -2)) < 1e-12)

        // recommend never lists the user's train positives.
        #expect(h.shell.run(line: "recommend 1"))
        let rec = try #require(h.objects.last)
        #expect(rec["user"] as? Int == 1)
        let items = try #require(rec["items"] as? [[String: Any]])
        #expect(items.count == 10)
        let dataset = try #require(h.shell.session.dataset)
        let graph = try #require(h.shell.session.graph)
        let trainIDs = Set(graph.movies(ofUser: try dataset.resolveUser("1")).map { dataset.movies[Int($0)].id.number ?? -1 })
        let recIDs = items.compactMap { $0["movie"] as? Int }
        #expect(recIDs.count == 10 && Set(recIDs).isDisjoint(with: trainIDs))
        let scores = items.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >))
        #expect(items.allSatisfy { ($0["title"] as? String)?.isEmpty == false })

        #expect(h.shell.run(line: "recommend 1 k=3 why"))
        let why = try #require(h.objects.last?["items"] as? [[String: Any]])
        #expect(why.count == 3)
        for item in why {
            let because = try #require(item["because"] as? [[String: Any]])
            #expect(because.count == 3)
            #expect(because.allSatisfy { trainIDs.contains($0["movie"] as? Int ?? -1) })
            // Ranked by how much each like holds up the movie's lead over the best movie not shown.
            let leads = because.compactMap { $0["lead_delta"] as? Double }
            #expect(leads.count == 3 && leads == leads.sorted(by: >))
            #expect(because.allSatisfy { $0["delta"] is Double })
        }

        #expect(h.shell.run(line: "similar 1 k=5"))
        let similar = try #require(h.objects.last)
        #expect(similar["movie"] as? Int == 1)
        let neighbours = try #require(similar["items"] as? [[String: Any]])
        #expect(neighbours.count == 5 && !neighbours.contains { $0["movie"] as? Int == 1 })
        let cosines = neighbours.compactMap { $0["score"] as? Double }
        #expect(cosines == cosines.sorted(by: >) && cosines.allSatisfy { $0 <= 1.0001 })

        #expect(h.shell.run(line: "models"))
        let models = try #require(h.objects.last?["models"] as? [[String: Any]])
        #expect(models.count == 1 && models[0]["on"] as? String == "test@10")
        #expect((models[0]["options"] as? [String: Any])?["hidden"] as? Int == 16)

        #expect(h.shell.run(line: "plot loss"))
        let charts = try #require(h.objects.last?["charts"] as? [[String: Any]])
        #expect(charts.count == 2)  // loss and validation NDCG
        #expect(h.shell.run(line: "plot metrics"))
    }

    @Test func tableOutputReadsWell() throws {
        let h = Harness()
        h.shell.run(line: "load ml-100k path=\"\(ShellTestData.directory)\"; split warm")
        h.out = ""
        #expect(h.shell.run(line: "train gcn \(Self.small)"))
        #expect(h.out.contains("val ndcg@10"))
        #expect(h.out.contains("next: eval gcn"))
        h.out = ""
        #expect(h.shell.run(line: "plot loss"))
        #expect(h.out.contains("loss per epoch"))
        h.out = ""
        #expect(h.shell.run(line: "recommend 1 k=2 why"))
        #expect(h.out.contains("because you liked"))
    }

    @Test func baselinesTrainThroughTheRegistry() throws {
        let h = ShellTestData.splitHarness()
        for line in ["train pop", "train ease", "train svd"] { #expect(h.shell.run(line: line), "\(line)") }
        #expect(h.shell.session.models.map(\.kind) == ["pop", "ease", "svd"])
        #expect(h.shell.run(line: "eval"))
        let results = try #require(h.objects.last?["results"] as? [[String: Any]])
        let ndcg = Dictionary(uniqueKeysWithValues: results.map { ($0["model"] as! String, $0["ndcg"] as! Double) })
        #expect(ndcg.count == 3)
        // The personalised baselines beat popularity on ML-100K by a wide margin.
        #expect(ndcg["ease"]! > ndcg["pop"]! + 0.03)
        #expect(ndcg["svd"]! > ndcg["pop"]! + 0.03)
        // Baselines keep their declared defaults as settings.
        #expect(h.shell.session.model(named: "ease")?.options["lambda"] == "300")
        #expect(h.shell.run(line: "train ease as ease-10 lambda=10"))
        #expect(h.shell.session.model(named: "ease-10")?.options["lambda"] == "10")
    }

    @Test func sameSeedSameMetrics() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train gcn as a \(Self.small) seed=3"))
        #expect(h.shell.run(line: "train gcn as b \(Self.small) seed=3"))
        #expect(h.shell.run(line: "train gcn as c \(Self.small) seed=4"))
        #expect(h.shell.run(line: "eval a b c"))
        let results = try #require(h.objects.last?["results"] as? [[String: Any]])
        let keys = ["precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map"]
        let a = keys.map { results[0][$0] as? Double }, b = keys.map { results[1][$0] as? Double }
        let c = keys.map { results[2][$0] as? Double }
        #expect(a == b)
        #expect(a != c)
    }

    @Test func retrainingTheSameNameReplacesIt() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train pop"))
        #expect(h.shell.run(line: "train gcn as pop \(Self.small)"))
        #expect(h.shell.session.models.map(\.name) == ["pop"])
        #expect(h.shell.session.models[0].kind == "gcn")
    }

    @Test func badInputIsNamedAndChangesNothing() throws {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "train gcn") == false)
        #expect((h.objects.last?["error"] as? String)?.contains("no data loaded; try 'load ml-100k'") == true)
        h.shell.run(line: "load ml-100k path=\"\(ShellTestData.directory)\"")
        #expect(h.shell.run(line: "train gcn") == false)
        #expect(h.objects.last?["error"] as? String == "train: no split yet; try 'split warm'")
        h.shell.run(line: "split warm")
        #expect(h.shell.run(line: "train pop"))
        let cases: [(String, String)] = [
            ("train gcn epochs=abc", "epochs: expected a whole number, got 'abc'"),
            ("train pop epochs=3", "train pop: unknown option 'epochs' (accepted: seed)"),
            ("train gcn lambda=3", "train gcn: unknown option 'lambda'"),
            ("train mf hidden=3", "train mf: unknown option 'hidden'"),
            ("train ncf mlp=63,8", "mlp: the first width is the concatenated user and movie embedding, so it must be even"),
            ("train ncf dim=8", "train ncf: unknown option 'dim'"),
            ("train ncf loss=margin", "loss: expected one of bce|bpr, got 'margin'"),
            ("train bogus", "train: unknown model 'bogus'"),
            ("train gcn as", "train: missing NAME"),
            ("train gcn with x", "unexpected argument 'with'"),
            ("eval nosuch", "eval: no model named 'nosuch' (trained: pop)"),
            ("eval pop k=0", "k: 0 is out of range"),
            ("recommend 5000", "unknown user id 5000"),
            ("recommend 1 model=nosuch", "no model named 'nosuch'"),
            ("similar \"star\"", "is ambiguous"),
            ("similar 99999", "unknown movie id 99999"),
            ("compare pop seeds=a", "seeds: expected whole numbers"),
            ("plot loss", "no model with a loss curve"),
            ("bench nonsense", "bench: WHAT=nonsense"),
        ]
        for (line, message) in cases {
            #expect(h.shell.run(line: line) == false, "\(line)")
            let error = h.objects.last?["error"] as? String ?? ""
            #expect(error.contains(message), "\(line): \(error)")
        }
        #expect(h.shell.session.models.map(\.name) == ["pop"])
        #expect(h.shell.session.models[0].lastMetrics.isEmpty == false)  // val metrics from train, untouched
    }

    @Test func ctrlCKeepsTheBestEpochSoFar() throws {
        let h = ShellTestData.splitHarness()
        // ~62 batches per epoch on the warm split: stop a little into epoch 2.
        let stop = StopAfter(70)
        let context = Context(registry: .standard, run: RunControl(shouldStop: { stop.poll() }))
        var session = h.shell.session
        let parsed = ParsedCommand(name: "train", arguments: ["gcn"], options: ["epochs": "5", "hidden": "16", "dim": "8"])
        let result = try ModelCommands.train(&session, parsed, context)
        #expect(result.notes.contains("interrupted at epoch 2; kept epoch 1"))
        let model = try #require(session.model(named: "gcn"))
        #expect(model.history.interrupted && model.history.epochs == 1 && model.history.bestEpoch == 1)
    }

    @Test func patienceStopsEarlyAndKeepsTheBest() throws {
        let h = ShellTestData.splitHarness()
        // A learning rate this large makes validation NDCG fall quickly after the first epochs.
        #expect(h.shell.run(line: "train mf epochs=12 dim=8 lr=0.5 patience=1"))
        let model = try #require(h.shell.session.model(named: "mf"))
        let ndcg = model.history.validationNDCG
        #expect(ndcg.count <= 12)
        #expect(model.history.bestEpoch >= 1)
        #expect(ndcg[model.history.bestEpoch - 1] == ndcg.max())
        if model.history.stoppedEarly { #expect(ndcg.count == model.history.bestEpoch + 1) }
    }

    @Test func compareAsTrainedAndOverSeeds() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train pop; train ease"))
        #expect(h.shell.run(line: "compare"))
        let plain = try #require(h.objects.last)
        #expect((plain["results"] as? [[String: Any]])?.count == 2)
        let tests = try #require(plain["significance"] as? [[String: Any]])
        #expect(tests.count == 1 && tests[0]["best"] as? String == "ease" && tests[0]["other"] as? String == "pop")
        #expect((tests[0]["t_test_p"] as? Double ?? 1) < 0.001)

        let before = h.shell.session.models.map(\.lastMetrics)
        #expect(h.shell.run(line: "compare pop ease seeds=0,1"))
        let seeded = try #require(h.objects.last?["results"] as? [[String: Any]])
        #expect(seeded.count == 2 && seeded.allSatisfy { $0["runs"] as? Int == 2 })
        let values = try #require(seeded[1]["ndcg_values"] as? [Double])
        #expect(values.count == 2 && values[0] != values[1])  // different splits
        #expect((seeded[1]["ndcg_std"] as? Double ?? 0) > 0)
        #expect(h.shell.session.models.map(\.lastMetrics) == before)  // compare leaves models alone
    }

    @Test func plotWritesSVG() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train lightgcn epochs=2 dim=8"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-plot-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(h.shell.run(line: "plot loss svg=\"\(path)\""))
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline"))
        #expect(svg.contains("validation NDCG@10 per epoch"))  // the second panel, same file
    }
}
