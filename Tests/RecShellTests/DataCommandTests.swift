import Foundation
import GraphRec
import Testing
@testable import RecShell

/// load, split, info, find, user and movie driven through a `Shell`, on the
/// real ml-100k and on small fixture directories of the other layouts.
@Suite struct DataCommandTests {
    typealias F = DataCommandFixtures

    @Test func loadThenInfoReportsTheDoneWhenFigures() throws {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load ml-100k path=\(F.realDirectory); info"))
        let info = try #require(h.objects.last)
        #expect(info["command"] as? String == "info")
        #expect(info["users"] as? Int == 943)
        #expect(info["movies"] as? Int == 1682)
        #expect(info["positive_edges"] as? Int == 82520)
        #expect(info["graph_edges"] as? Int == 82520)
        #expect(info["ratings"] as? Int == 100_000)
        #expect(info["user_features"] as? Int == 24)
        #expect(info["movie_features"] as? Int == 18)
        #expect((info["user_feature_names"] as? [String])?.first == "age")
        #expect((info["movie_feature_names"] as? [String])?.count == 18)
        #expect(info["split"] is NSNull)
        #expect((info["models"] as? [Any])?.isEmpty == true)
        #expect(info["layout"] as? String == "ml-100k")
        #expect((info["sha256"] as? String)?.count == 64)
        let meanUser = try #require(info["mean_user_degree"] as? Double)
        #expect(abs(meanUser - 82520.0 / 943.0) < 1e-9)
    }

    @Test func infoAfterSplitShowsTheTrainGraphAndTheSplit() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "split warm seed=3; info"))
        let split = h.objects[0]
        let info = h.objects[1]
        #expect(info["positive_edges"] as? Int == 82520)
        #expect(info["graph_edges"] as? Int == split["train_edges"] as? Int)
        let nested = try #require(info["split"] as? [String: Any])
        #expect(nested["kind"] as? String == "warm")
        #expect(nested["seed"] as? Int == 3)
        #expect(nested["ratios"] as? String == "80/10/10")
        for key in ["train_edges", "val_edges", "test_edges", "users_without_test"] {
            #expect(nested[key] as? Int == split[key] as? Int, "\(key)")
        }
        let total = ["train_edges", "val_edges", "test_edges"].compactMap { nested[$0] as? Int }.reduce(0, +)
        #expect(total == 82520)
    }

    @Test func infoListsTrainedModels() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "split warm"))
        let graph = try #require(h.shell.session.graph)
        let fit = try Popularity.fit(FitRequest(graph: graph, options: try Popularity.parse([:])))
        let (pop, history) = (fit.recommender, fit.history)
        h.shell.session.store(TrainedModel(name: "popular", recommender: pop, options: [:], history: history,
                                           scorer: pop.scorer(graph), lastMetrics: ["ndcg": 0.25, "recall": 0.5],
                                           lastMetricsOn: "val"))
        #expect(h.shell.run(line: "info"))
        let models = try #require(h.objects.last?["models"] as? [[String: Any]])
        #expect(models.count == 1)
        #expect(models[0]["name"] as? String == "popular")
        #expect(models[0]["kind"] as? String == "pop")
        #expect(models[0]["epochs"] as? Int == 1)
        #expect(models[0]["on"] as? String == "val")
        let metrics = try #require(models[0]["metrics"] as? [String: Double])
        #expect(metrics == ["ndcg": 0.25, "recall": 0.5])

        // People see a table of them.
        let t = Harness()
        t.shell.session = h.shell.session
        t.shell.session.settings.format = .table
        #expect(t.shell.run(line: "info"))
        #expect(t.out.contains("Trained models"))
        #expect(t.out.contains("popular"))
        #expect(t.out.contains("0.2500"))
        // A new split drops them, and says so.
        #expect(t.shell.run(line: "split warm seed=1"))
        #expect(t.shell.session.models.isEmpty)
        #expect(t.err.contains("warning: split: dropped the models trained on the previous split: popular"))
    }

    @Test func infoForPeopleSummarisesFeatures() throws {
        let h = try F.loadedHarness(format: .table)
        #expect(h.shell.run(line: "info"))
        #expect(h.out.contains("user_features:"))
        #expect(h.out.contains("24: age, gender (2), occupation (21)"))
        #expect(h.out.contains("18: "))
        #expect(h.out.contains("split:"))
        #expect(h.out.contains("try 'split warm'"))
    }

    @Test func infoWithoutDataSaysLoad() {
        let h = Harness(format: .json)
        #expect(!h.shell.run(line: "info"))
        #expect(h.objects.first?["error"] as? String == "info: no data loaded; try 'load ml-100k'")
    }

    // MARK: load: layouts and failures

    @Test func loadML1MDirectoryThroughTheShell() throws {
        let dir = try F.directory(F.ml1m)
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load \(dir); info; find cite"))
        let load = h.objects[0]
        #expect(load["dataset"] as? String == "ml-1m")
        #expect(load["layout"] as? String == "ml-1m")
        let info = h.objects[1]
        #expect(info["users"] as? Int == 3)
        #expect(info["movies"] as? Int == 3)
        #expect(info["positive_edges"] as? Int == 4)
        #expect(info["user_features"] as? Int == 24)
        #expect(info["movie_features"] as? Int == 18)
        let found = try #require(h.objects[2]["movies"] as? [[String: Any]])
        #expect(found.map { $0["title"] as? String } == ["Cité des enfants perdus, La (1995)"])
        #expect(found.first?["movie"] as? Int == 30)
        #expect(found.first?["ratings"] as? Int == 2)
    }

    @Test func loadMLLatestDirectoryHasNoUserFeatures() throws {
        let dir = try F.directory(F.mlLatest)
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load \(dir) min-rating=3.5; info; user 7; movie Amélie"))
        let info = h.objects[1]
        #expect(info["dataset"] as? String == "ml-latest")
        #expect(info["users"] as? Int == 2)
        #expect(info["movies"] as? Int == 4)
        #expect(info["positive_edges"] as? Int == 2)  // 4.0 and 3.5
        #expect(info["min_rating"] as? Double == 3.5)
        #expect(info["user_features"] as? Int == 0)
        #expect(info["movie_features"] as? Int == 6)
        let user = h.objects[2]
        #expect(user["user"] as? Int == 7)
        #expect(user["age"] == nil)  // the layout records none
        #expect(user["features"] == nil)
        #expect((user["rated"] as? [[String: Any]])?.map { $0["rating"] as? Double } == [4.0, 2.5])
        let movie = h.objects[3]
        #expect(movie["movie"] as? Int == 4)
        #expect(movie["ratings"] as? Int == 0)
        #expect(movie["year"] as? Int == 2001)
        // People are told the models fall back to ID embeddings.
        let t = Harness()
        #expect(t.shell.run(line: "load \(dir)"))
        #expect(t.out.contains("ml-latest has no user features"))
    }

    @Test func failedLoadsNameTheProblemAndKeepTheFirstDataSet() throws {
        var broken = F.ml1m
        broken["ratings.dat"] = Array("1::10::5::978300760\n1::20::3\n".utf8)
        let brokenDir = try F.directory(broken)
        let missing = "/nonexistent/recsh-\(UUID().uuidString)"
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load ml-100k path=\(F.realDirectory)"))
        #expect(h.shell.run(line: "split official u1"))
        #expect(!h.shell.run(line: "load \(brokenDir)"))
        #expect(!h.shell.run(line: "load \(missing)"))
        #expect(!h.shell.run(line: "load ml-100k path=\(missing)"))
        #expect(!h.shell.run(line: "load \(brokenDir) path=\(F.realDirectory)"))
        #expect(!h.shell.run(line: "load ml-100k path=\(F.realDirectory) min-rating=11"))
        let errors = h.objects.filter { $0["ok"] as? Bool == false }.compactMap { $0["error"] as? String }
        #expect(errors.count == 5)
        #expect(errors[0].hasPrefix("load: \(brokenDir)/ratings.dat line 2: expected 4 '::'-separated fields"))
        #expect(errors[1].hasPrefix("load: \(missing): no such file or directory (known names: ml-100k, "))
        #expect(errors[2].contains(missing))
        #expect(errors[3] == "load: give either a directory or path=, not both")
        #expect(errors[4].contains("min-rating"))
        #expect(h.shell.run(line: "info"))
        let info = try #require(h.objects.last)
        #expect(info["dataset"] as? String == "ml-100k")
        #expect(info["users"] as? Int == 943)
        #expect((info["split"] as? [String: Any])?["kind"] as? String == "official u1")
        #expect(h.shell.session.split?.train.count == 66103)
    }

    // MARK: split

    @Test func splitOfficialU1Counts() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "split official u1"))
        let s = h.objects[0]
        #expect(s["kind"] as? String == "official u1")
        #expect(s["train_edges"] as? Int == 66103)
        #expect(s["test_edges"] as? Int == 16417)
        #expect(s["val_edges"] as? Int == 0)
        #expect(s["ratios"] is NSNull)
        #expect(h.shell.session.graph?.edgeCount == 66103)
    }

    @Test func splitIsDeterministicAndSeeded() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "split warm seed=7"))
        let first = try #require(h.shell.session.split)
        #expect(h.shell.run(line: "split cold seed=7"))
        #expect(h.shell.run(line: "split warm seed=7"))
        #expect(h.shell.session.split == first)
        #expect(h.shell.run(line: "set seed=7; split warm"))
        #expect(h.shell.session.split == first)
        #expect(h.shell.run(line: "split warm seed=8"))
        #expect(h.shell.session.split != first)
    }

    @Test func splitBadInputChangesNothing() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "split warm seed=1"))
        let before = try #require(h.shell.session.split)
        let bad = [
            ("split official u1 seed=3", "split official: option 'seed=' does not apply (it takes none)"),
            ("split warm train=a.tsv", "split warm: option 'train=' does not apply (accepted: ratios, seed)"),
            ("split warm seed=-1", "split: seed=-1 is not a whole number >= 0"),
            ("split warm ratios=90/20/10", "ratios: percentages must be >= 0 and sum to 100, got '90/20/10'"),
            ("split warm u1", "split: unexpected argument 'u1' at column 12; usage: split warm|cold [ratios=80/10/10] [seed=0]"),
            ("split official", "split: missing NAME; usage: split official NAME"),
            ("split official u9", "split official: unknown split 'u9' (known: u1, u2, u3, u4, u5, ua, ub)"),
            ("split files test=x.tsv", "split: missing train=FILE; usage: split files train=FILE test=FILE [val=FILE]"),
            ("split sideways", "split: KIND=sideways is not one of warm|cold|seed-study|official|files"),
        ]
        for (line, message) in bad {
            #expect(!h.shell.run(line: line), "\(line)")
            #expect(h.objects.last?["error"] as? String == message, "\(line)")
            #expect(h.shell.session.split == before, "\(line)")
        }
        // A huge seed that `set seed=` accepts works here too, and shows in JSON.
        #expect(h.shell.run(line: "split warm seed=18446744073709551615"))
        #expect(h.objects.last?["seed"] as? String == "18446744073709551615")
    }

    @Test func splitWithoutDataSaysLoad() {
        let h = Harness(format: .json)
        #expect(!h.shell.run(line: "split warm"))
        #expect(h.objects.first?["error"] as? String == "split: no data loaded; try 'load ml-100k'")
    }

    // MARK: find, user, movie

    @Test func findStarWars() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "find \"star wars\""))
        let r = h.objects[0]
        #expect(r["query"] as? String == "star wars")
        #expect(r["matches"] as? Int == 1)
        let movies = try #require(r["movies"] as? [[String: Any]])
        #expect(movies.count == 1)
        #expect(movies[0]["movie"] as? Int == 50)
        #expect(movies[0]["title"] as? String == "Star Wars (1977)")
        #expect(movies[0]["year"] as? Int == 1977)
        #expect(movies[0]["ratings"] as? Int == 583)
        #expect((movies[0]["genres"] as? [String])?.contains("Sci-Fi") == true)
    }

    @Test func findUnquotedWordsLimitsAndAccents() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "find star wars; find the limit=3; find miserables; find zzzzqqq"))
        #expect(h.objects[0]["matches"] as? Int == 1)
        let many = h.objects[1]
        #expect((many["matches"] as? Int ?? 0) > 3)
        #expect((many["movies"] as? [Any])?.count == 3)
        let accents = try #require(h.objects[2]["movies"] as? [[String: Any]])
        #expect(accents.contains { ($0["title"] as? String)?.contains("Misérables") == true })
        #expect(h.objects[3]["matches"] as? Int == 0)
        #expect(h.objects[3]["ok"] as? Bool == true)

        let t = try F.loadedHarness(format: .table)
        #expect(t.shell.run(line: "find \"star wars\"; find the limit=2"))
        #expect(t.out.contains("Titles containing 'star wars'"))
        #expect(t.out.contains("Star Wars (1977)"))
        #expect(t.out.contains("showing 2 of"))
        #expect(!t.shell.run(line: "find limit=0 star"))
        #expect(t.err.contains("limit"))
    }

    @Test func userProfile() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "user 1 top=3"))
        let u = h.objects[0]
        #expect(u["user"] as? Int == 1)
        #expect(u["age"] as? Int == 24)
        #expect(u["gender"] as? String == "M")
        #expect(u["occupation"] as? String == "technician")
        #expect(u["ratings"] as? Int == 272)
        let d = try F.real.get()
        let positives = d.positives.filter { $0.user == 0 }.count
        #expect(u["positives"] as? Int == positives)
        #expect(u["degree"] as? Int == positives)
        let rated = try #require(u["rated"] as? [[String: Any]])
        #expect(rated.count == 3)
        #expect(rated.allSatisfy { $0["rating"] as? Double == 5 && $0["edge"] as? String == "positive" })
        let features = try #require(u["features"] as? [String: Double])
        #expect(features.count == 24)
        #expect(features["gender_m"] == 1)  // JSON keys are snake_case: "gender:M" becomes gender_m
        #expect(features["occupation_technician"] == 1)

        // After a split the degree is the train graph's, and edges say where they went.
        #expect(h.shell.run(line: "split warm; user 1 top=300"))
        let after = h.objects[2]
        let split = try #require(h.shell.session.split)
        #expect(after["degree"] as? Int == split.train.filter { $0.user == 0 }.count)
        #expect(after["test_edges"] as? Int == split.test.filter { $0.user == 0 }.count)
        let edges = (after["rated"] as? [[String: Any]] ?? []).compactMap { $0["edge"] as? String }
        #expect(edges.count == 272)
        #expect(edges.filter { $0 == "test" }.count == split.test.filter { $0.user == 0 }.count)
        #expect(edges.filter { $0 == "-" }.count == 272 - positives)
    }

    @Test func movieProfileByIdAndTitle() throws {
        let h = try F.loadedHarness()
        #expect(h.shell.run(line: "movie 50; movie \"Star Wars (1977)\"; movie star wars; movie \"godfather, the\""))
        let m = h.objects[0]
        #expect(m["movie"] as? Int == 50)
        #expect(m["title"] as? String == "Star Wars (1977)")
        #expect(m["release_date"] as? String == "01-Jan-1977")
        #expect(m["ratings"] as? Int == 583)
        #expect((m["genres"] as? [String])?.contains("Action") == true)
        let distribution = try #require(m["distribution"] as? [[String: Any]])
        #expect(distribution.compactMap { $0["count"] as? Int }.reduce(0, +) == 583)
        #expect(distribution.first?["rating"] as? Double == 5)
        let raters = (m["raters_female"] as? Int ?? 0) + (m["raters_male"] as? Int ?? 0)
        #expect(raters == 583)
        #expect(h.objects[1]["movie"] as? Int == 50)
        #expect(h.objects[2]["movie"] as? Int == 50)
        #expect((h.objects[3]["title"] as? String)?.hasPrefix("Godfather, The") == true)
    }

    @Test func lookupBadInputNamesTheArgument() throws {
        let h = try F.loadedHarness()
        let cases = [
            ("user 0", "unknown user id 0 in ml-100k (ids run 1...943)"),
            ("user bob", "user: expected a user id (a whole number), got 'bob'"),
            ("user 1 top=0", "top"),
            ("movie 99999", "unknown movie id 99999 in ml-100k (ids run 1...1682)"),
            ("movie \"no such film at all\"", "no movie title in ml-100k matches 'no such film at all'; try: find WORD"),
            ("movie star", "movie 'star' is ambiguous"),
            ("find \"\"", "find: missing TEXT"),
        ]
        for (line, message) in cases {
            #expect(!h.shell.run(line: line), "\(line)")
            #expect((h.objects.last?["error"] as? String)?.contains(message) == true, "\(line)")
        }
        let empty = Harness(format: .json)
        #expect(!empty.shell.run(line: "find star; user 1; movie 1"))
        #expect(empty.objects.map { $0["error"] as? String } == [
            "find: no data loaded; try 'load ml-100k'", "user: no data loaded; try 'load ml-100k'",
            "movie: no data loaded; try 'load ml-100k'",
        ])
    }

    @Test func completionOffersTitlesAfterLoad() throws {
        let before = Harness()
        #expect(before.shell.completer.complete("movie \"Star W").candidates.isEmpty)
        let h = Harness()
        #expect(h.shell.run(line: "load ml-100k path=\(F.realDirectory)"))
        #expect(h.shell.completer.complete("movie \"Star W").candidates == ["\"Star Wars (1977)\""])
        #expect(h.shell.completer.complete("find \"toy st").candidates.contains("\"Toy Story (1995)\""))
    }
}
