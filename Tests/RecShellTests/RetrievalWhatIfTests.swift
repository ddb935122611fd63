import Foundation
import GraphRec
import Testing
import Tensors
@testable import RecShell

/// The session the LSH and what-if commands need, built without a `train`
/// command: `load` and `split warm` through the shell, then models fitted
/// through the library and put into `session.models`.
enum WiringFixture {
    static var dataDirectory: String { ShellTestData.directory }

    static var available: Bool { ShellTestData.available }

    /// A JSON-format shell with ML-100K loaded and split warm (seed 0).
    static func loadedShell() throws -> Harness {
        let h = Harness(format: .json)
        try #require(h.shell.run(line: "load ml-100k path=\(dataDirectory); split warm"), "\(h.err)")
        return h
    }

    /// PureSVD with 32 factors, as a session model called "svd".
    static func svd(_ graph: InteractionGraph) throws -> TrainedModel {
        let fit = try PureSVD.fit(FitRequest(graph: graph, options: try PureSVD.parse(["factors": "32"])))
        let (rec, history) = (fit.recommender, fit.history)
        return TrainedModel(name: "svd", recommender: rec, options: ["factors": "32"], history: history,
                            scorer: rec.scorer(graph))
    }

    /// A small GCN trained for one epoch: a graph model whose edits reach the neighbours.
    static func gcn(_ graph: InteractionGraph) throws -> TrainedModel {
        var o = TrainOptions()
        o.epochs = 1
        o.hidden = 32
        o.dim = 16
        o.negatives = 2
        o.batchSize = 4096
        var model = GCN(graph: graph, options: o)
        let history = try Trainer(options: o).train(&model, on: graph)
        return TrainedModel(name: "gcn", recommender: model, options: o.asDictionary, history: history,
                            embeddings: model.embed(graph))
    }

    /// Loaded, split, with "svd" stored.
    static func withSVD() throws -> Harness {
        let h = try loadedShell()
        h.shell.session.store(try svd(h.shell.session.graph!))
        h.out = ""
        return h
    }
}

/// A model whose user vectors are fixed at training (like mf).
struct FixedUsers: EmbeddingRecommender {
    let kind = "fixed"
    var isInductive: Bool { false }
    let stored: Embeddings
    func embed(_ graph: InteractionGraph) -> Embeddings { stored }
    var parameters: [String: Matrix] { [:] }
}

extension Harness {
    /// The last JSON object written, after running `line`.
    func json(_ line: String) -> [String: Any]? {
        out = ""
        _ = shell.run(line: line)
        return objects.last
    }
}

@Suite(.serialized, .enabled(if: WiringFixture.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct LSHCommandTests {
    @Test func lshReportsTheContractKeys() throws {
        let h = try WiringFixture.withSVD()
        let o = try #require(h.json("lsh planes=3 runs=1"), "\(h.err)")
        #expect(o["ok"] as? Bool == true, "\(h.err)")
        for key in ["planes", "candidates_per_user", "recall_vs_exact", "precision", "ndcg", "users_per_second",
                    "exact_users_per_second", "speedup", "buckets_used", "mean_bucket_size", "max_bucket_size"] {
            #expect(o[key] != nil, "missing \(key)")
        }
        #expect(o["planes"] as? Int == 3)
        #expect((o["buckets_used"] as? Int).map { $0 >= 1 && $0 <= 8 } == true)
        let recall = try #require(o["recall_vs_exact"] as? Double)
        #expect(recall > 0 && recall <= 1)
        // probe=hamming with default candidates: at least K candidates from 1,682 movies.
        let cand = try #require(o["candidates_per_user"] as? Double)
        #expect(cand >= 10 && cand <= 1682)
        #expect((o["note"] as? String)?.contains("1,682 movies is already a tiny GEMM") == true)
    }

    @Test func sameSeedSameResult() throws {
        let h = try WiringFixture.withSVD()
        let a = try #require(h.json("lsh planes=6 probe=bucket seed=7 runs=1"))
        let b = try #require(h.json("lsh planes=6 probe=bucket seed=7 runs=1"))
        let c = try #require(h.json("lsh planes=6 probe=bucket seed=8 runs=1"))
        for key in ["recall_vs_exact", "precision", "ndcg", "candidates_per_user", "buckets_used", "max_bucket_size"] {
            #expect("\(a[key]!)" == "\(b[key]!)", "\(key) differs for the same seed")
        }
        // A different seed draws different planes: some figure moves.
        let moved = ["recall_vs_exact", "candidates_per_user", "max_bucket_size"].contains { "\(a[$0]!)" != "\(c[$0]!)" }
        #expect(moved)
    }

    @Test func moreTablesMoreCandidatesAndRecall() throws {
        let h = try WiringFixture.withSVD()
        let one = try #require(h.json("lsh planes=12 probe=bucket tables=1 runs=1"))
        let eight = try #require(h.json("lsh planes=12 probe=bucket tables=8 runs=1"))
        #expect((eight["candidates_per_user"] as! Double) > (one["candidates_per_user"] as! Double))
        #expect((eight["recall_vs_exact"] as! Double) >= (one["recall_vs_exact"] as! Double))
    }

    @Test func sweepStoresPointsAndPlotDrawsThem() throws {
        let h = try WiringFixture.withSVD()
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("wlsh-sweep-\(getpid()).svg").path
        let o = try #require(h.json("lsh sweep planes=1..4 runs=1 svg=\(svg)"), "\(h.err)")
        #expect(o["ok"] as? Bool == true, "\(h.err)")
        let points = try #require(o["points"] as? [[String: Any]])
        #expect(points.map { $0["planes"] as? Int } == [1, 2, 3, 4])
        #expect(points.allSatisfy { $0["recall_vs_exact"] is Double && $0["speedup"] is Double })
        #expect(h.shell.session.lastLSHSweep?.reports.count == 4)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") && text.contains("speedup") && text.contains("recall vs exact"))
        try? FileManager.default.removeItem(atPath: svg)

        let plot = try #require(h.json("plot lsh"))
        #expect(plot["ok"] as? Bool == true, "\(h.err)")
        #expect((plot["planes"] as? [Int]) == [1, 2, 3, 4])
        // The table form draws the charts.
        h.shell.session.settings.format = .table
        h.out = ""
        #expect(h.shell.run(line: "plot lsh"))
        #expect(h.out.contains("LSH quality vs planes (svd)") && h.out.contains("planes"))
    }

    @Test func errorsNameTheProblemAndChangeNothing() throws {
        let fresh = Harness(format: .json)
        #expect(fresh.json("lsh planes=3")?["error"] as? String == "lsh: no data loaded; try 'load ml-100k'")
        let h = try WiringFixture.loadedShell()
        #expect((h.json("lsh planes=3")?["error"] as? String)?.contains("no trained model yet") == true)
        h.shell.session.store(try WiringFixture.svd(h.shell.session.graph!))
        #expect(h.json("lsh planes=65")?["error"] as? String
                == "planes: 65 is out of range 1...64 (one code bit per plane, packed in 64 bits)")
        #expect(h.json("lsh planes=0")?["ok"] as? Bool == false)
        #expect((h.json("lsh sweep planes=0..4")?["error"] as? String)?.contains("out of range 1...64") == true)
        #expect((h.json("lsh planes=3 model=nope")?["error"] as? String)?.contains("no model named 'nope'") == true)
        #expect((h.json("lsh planes=3 probe=both")?["error"] as? String)?.contains("probe") == true)
        #expect((h.json("lsh planes=3 items=10")?["error"] as? String)?.contains("lsh: option 'items=' does not apply") == true)
        #expect((h.json("lsh bench items=1000 model=svd")?["error"] as? String)?.contains("lsh bench: option 'model=' does not apply") == true)
        #expect(h.json("plot lsh")?["error"] as? String == "plot lsh: no LSH sweep yet; try 'lsh sweep planes=1..16'")
        #expect(h.shell.session.lastLSHSweep == nil)
    }

    @Test func benchSmallCatalogue() throws {
        let h = Harness(format: .json)
        let o = try #require(h.json("lsh bench items=5000 dim=16 queries=100 planes=4,8 tables=1,4 probe=hamming mips=on runs=1"),
                             "\(h.err)")
        #expect(o["ok"] as? Bool == true, "\(h.err)")
        let points = try #require(o["points"] as? [[String: Any]])
        #expect(points.count == 4)
        #expect(points.allSatisfy { $0["mips"] as? Bool == true && $0["probe"] as? String == "hamming" })
        // A hamming probe collects at least its budget: max(100, 5000/200) / tables.
        #expect(points.allSatisfy { ($0["candidates_per_user"] as! Double) >= Double($0["candidates"] as! Int) })
        #expect(o["best"] != nil && o["closest"] is [String: Any])
        let again = try #require(h.json("lsh bench items=5000 dim=16 queries=100 planes=4,8 tables=1,4 probe=hamming mips=on runs=1"))
        let recalls = { (x: [String: Any]) in (x["points"] as! [[String: Any]]).map { $0["recall_vs_exact"] as! Double } }
        #expect(recalls(o) == recalls(again))
    }

    @Test func multiProbeWithNormBands() throws {
        let h = try WiringFixture.withSVD()
        let o = try #require(h.json("lsh planes=10 probe=multi mips=on bands=8 candidates=100 runs=1"), "\(h.err)")
        #expect(o["ok"] as? Bool == true, "\(h.err)")
        #expect(o["probe"] as? String == "multi" && o["bands"] as? Int == 8)
        // The budget counts collected movies; a user's train movies among them are skipped, not ranked.
        let ranked = try #require(o["candidates_per_user"] as? Double)
        #expect(ranked > 50 && ranked <= 1682)
        #expect((o["note"] as? String)?.contains("tiny GEMM") == true)
        let again = try #require(h.json("lsh planes=10 probe=multi mips=on bands=8 candidates=100 runs=1"))
        #expect("\(o["recall_vs_exact"]!)" == "\(again["recall_vs_exact"]!)", "same seed, same result")
        // Bench grid: bands= and candidates= take lists; a larger budget never ranks fewer.
        let b = try #require(h.json("lsh bench items=5000 dim=16 queries=100 planes=12 tables=1 probe=multi mips=on bands=1,8 candidates=50,400 runs=1"),
                             "\(h.err)")
        let points = try #require(b["points"] as? [[String: Any]])
        #expect(points.map { $0["bands"] as! Int } == [1, 1, 8, 8])
        #expect(points.allSatisfy { ($0["candidates_per_user"] as! Double) >= Double($0["candidates"] as! Int) })
        let recall = points.map { $0["recall_vs_exact"] as! Double }
        #expect(recall[1] >= recall[0] && recall[3] >= recall[2])
        #expect((h.json("lsh bench items=5000 probe=nope")?["error"] as? String)?.contains("probe") == true)
    }

    @Test func supportHelpersForRecommendAndEval() throws {
        let h = try WiringFixture.withSVD()
        let session = h.shell.session
        let model = try #require(session.model(named: "svd"))
        let graph = try #require(session.graph)
        let user = 0
        let owned = graph.movies(ofUser: user).map(Int.init)
        // 4 planes, hamming probing until K candidates: a full list without train movies.
        let config = try LSHSupport.configuration(planes: try LSHSupport.planes(fromOption: "4"))
        let (items, candidates) = try LSHSupport.recommend(model: model, user: user, k: 10, excluding: owned, configuration: config)
        #expect(items.count == 10)
        #expect(candidates >= 10)
        #expect(items.allSatisfy { !owned.contains($0.item) })
        #expect(zip(items, items.dropFirst()).allSatisfy { $0.score >= $1.score })
        // 1 plane and 5000 candidates: every movie is ranked, so LSH equals exact.
        let all = try LSHSupport.configuration(planes: 1, options: OptionValues(["candidates": "5000"]))
        let exact = ExactRetriever.recommend(user: user, embeddings: model.embeddings!, k: 10, excluding: owned)
        #expect(try LSHSupport.recommend(model: model, user: user, k: 10, excluding: owned, configuration: all).items.map(\.item)
                == exact.map(\.item))
        #expect(throws: RecError.self) { try LSHSupport.planes(fromOption: "99") }

        let set = try EvaluationSet(split: session.split!, graph: graph, on: .test)
        let ev = LSHEvaluation.report(embeddings: model.embeddings!, set: set, configuration: all, k: 10, runs: 1)
        #expect(ev.recallVsExact == 1)
        #expect(ev.users == set.users.count)
        let narrow = LSHEvaluation.report(embeddings: model.embeddings!, set: set, configuration: config, k: 10, runs: 1)
        #expect(narrow.recallVsExact < 1 && narrow.metrics.precision <= ev.metrics.precision + 0.05)
    }
}

@Suite(.serialized, .enabled(if: WiringFixture.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct WhatIfCommandTests {
    @Test func likesMovesTheListAndLeavesTheSessionAlone() throws {
        let h = try WiringFixture.withSVD()
        let edgesBefore = h.shell.session.graph!.edgeCount
        let owned = Set(h.shell.session.graph!.movies(ofUser: 0).map { Int($0) + 1 })
        let fresh = (1...1682).filter { !owned.contains($0) }.prefix(3).map(String.init)
        let r = try #require(h.json("whatif user 1 likes \(fresh.joined(separator: " "))"), "\(h.err)")
        #expect(r["ok"] as? Bool == true, "\(h.err)")
        #expect(r["user"] as? Int == 1)
        let change = try #require(r["change"] as? [String: Any])
        #expect(change["kind"] as? String == "likes")
        #expect((change["movies"] as? [Int]) == fresh.map { Int($0)! })
        let before = try #require(r["before"] as? [[String: Any]]), after = try #require(r["after"] as? [[String: Any]])
        #expect(before.count == 10 && after.count == 10)
        // The liked movies are now train edges: never recommended.
        #expect(after.allSatisfy { !fresh.contains(String($0["movie"] as! Int)) })
        let entered = try #require(r["entered"] as? [Int]), left = try #require(r["left"] as? [Int])
        #expect(entered.count == left.count)
        // PureSVD scores a user from their own row: nobody else moves.
        #expect(r["users_affected"] as? Int == 0)
        #expect(h.shell.session.graph!.edgeCount == edgesBefore)
        #expect(h.shell.session.models.count == 1)
    }

    @Test func dropsAndGraphModelsReachNeighbours() throws {
        let h = try WiringFixture.loadedShell()
        let graph = h.shell.session.graph!
        h.shell.session.store(try WiringFixture.gcn(graph))
        let stored = h.shell.session.models[0].embeddings
        let liked = graph.movies(ofUser: 0).prefix(5).map { String(Int($0) + 1) }
        let r = try #require(h.json("whatif user 1 drops \(liked.joined(separator: " "))"), "\(h.err)")
        #expect(r["ok"] as? Bool == true, "\(h.err)")
        #expect((r["change"] as? [String: Any])?["kind"] as? String == "drops")
        let affected = try #require(r["users_affected"] as? Int)
        let reordered = try #require(r["users_reordered"] as? Int)
        #expect(affected + reordered > 0, "dropping 5 edges should move some neighbour's list in a GCN")
        #expect(h.shell.session.graph!.edgeCount == graph.edgeCount)
        #expect(h.shell.session.models[0].embeddings == stored)
    }

    @Test func whatifErrors() throws {
        let h = try WiringFixture.withSVD()
        let liked = Int(h.shell.session.graph!.movies(ofUser: 0).first!) + 1
        #expect((h.json("whatif user 99999 likes 1")?["error"] as? String)?.contains("unknown user id 99999") == true)
        #expect((h.json("whatif user 1 likes 99999")?["error"] as? String)?.contains("unknown movie id 99999") == true)
        #expect((h.json("whatif user 1 likes \(liked)")?["error"] as? String)?.contains("already likes") == true)
        let notLiked = (1...1682).first { !h.shell.session.graph!.movies(ofUser: 0).contains(Int32($0 - 1)) }!
        #expect((h.json("whatif user 1 drops \(notLiked)")?["error"] as? String)?.contains("no training edge") == true)
        #expect((h.json("whatif user 1 loves 1")?["error"] as? String)?.contains("likes|drops") == true)
        #expect((h.json("whatif user 1 likes")?["error"] as? String)?.contains("missing MOVIE") == true)
        h.shell.session.models = []
        #expect((h.json("whatif user 1 likes 1")?["error"] as? String)?.contains("no trained model yet") == true)
        let graph = h.shell.session.graph!
        let svd = try WiringFixture.svd(graph)
        h.shell.session.store(TrainedModel(name: "mf", recommender: FixedUsers(stored: svd.embeddings!), options: [:],
                                           history: svd.history, embeddings: svd.embeddings!))
        // A model whose kind is not declared in the registry has no declared cold-user method: refused.
        #expect((h.json("whatif user 1 likes 1")?["error"] as? String)?.contains("unknown model 'fixed'") == true)
        #expect((h.json("newuser likes=1")?["error"] as? String)?.contains("unknown model 'fixed'") == true)
    }

    @Test func newuserRecommendsWithoutChangingTheSession() throws {
        let h = try WiringFixture.withSVD()
        let users = h.shell.session.graph!.userCount
        let r = try #require(h.json("newuser age=25 gender=F occupation=student likes=50,181,\"Toy Story (1995)\" k=5"), "\(h.err)")
        #expect(r["ok"] as? Bool == true, "\(h.err)")
        let items = try #require(r["items"] as? [[String: Any]])
        #expect(items.count == 5)
        #expect(items.allSatisfy { ![50, 181, 1].contains($0["movie"] as! Int) })
        #expect(((r["persona"] as? [String: Any])?["likes"] as? [Int]) == [50, 181, 1])
        #expect(h.shell.session.graph!.userCount == users)
        // A title with a comma in it survives the comma list.
        let t = try #require(h.json("newuser likes=\"Usual Suspects, The (1995)\",50"), "\(h.err)")
        #expect(((t["persona"] as? [String: Any])?["likes"] as? [Int]) == [12, 50])
    }

    @Test func newuserValidates() throws {
        let h = try WiringFixture.withSVD()
        let occ = try #require(h.json("newuser occupation=astronaut")?["error"] as? String)
        #expect(occ.contains("occupation: unknown value 'astronaut'") && occ.contains("student") && occ.contains("writer"))
        #expect(h.json("newuser age=0")?["error"] as? String == "age: 0 is out of range 1...120")
        #expect((h.json("newuser gender=X")?["error"] as? String)?.contains("gender=X is not one of F|M") == true)
        #expect((h.json("newuser likes=99999")?["error"] as? String)?.contains("likes: unknown movie id 99999") == true)
        #expect((h.json("newuser likes=50 model=nope")?["error"] as? String)?.contains("no model named 'nope'") == true)
    }
}

/// Figures for the report, not assertions: `RECSH_MEASURE_LSH=1 swift test -c release --filter LSHMeasurement`.
@Suite(.serialized, .enabled(if: WiringFixture.available && ProcessInfo.processInfo.environment["RECSH_MEASURE_LSH"] != nil))
struct LSHMeasurement {
    @Test func sweepOnSVDAndGCN() throws {
        let h = try WiringFixture.loadedShell()
        let graph = h.shell.session.graph!
        let fit = try PureSVD.fit(FitRequest(graph: graph, options: try PureSVD.parse([:])))
        let (rec, history) = (fit.recommender, fit.history)
        h.shell.session.store(TrainedModel(name: "svd", recommender: rec, options: [:], history: history,
                                           scorer: rec.scorer(graph)))
        var o = TrainOptions()
        o.epochs = Int(ProcessInfo.processInfo.environment["RECSH_MEASURE_EPOCHS"] ?? "3") ?? 3
        var model = GCN(graph: graph, options: o)
        let gh = try Trainer(options: o).train(&model, on: graph)
        h.shell.session.store(TrainedModel(name: "gcn", recommender: model, options: o.asDictionary, history: gh,
                                           embeddings: model.embed(graph)))
        h.shell.session.settings.format = .table
        for line in ["lsh sweep planes=1..16 model=svd", "lsh sweep planes=1..16 model=gcn",
                     "lsh sweep planes=1..16 model=gcn probe=bucket", "lsh sweep planes=1..16 model=gcn mips=on",
                     "lsh planes=3 model=gcn probe=bucket"] {
            h.out = ""
            _ = h.shell.run(line: line)
            print("recsh> \(line)\n\(h.out)\(h.err)")
        }
    }
}
