import Foundation
import GraphRec
import Testing
@testable import RecShell

/// `recommend USER why` through GAT attention paths, and `export attention`,
/// on a small GAT trained in-process on ML-100K (one epoch, tiny widths, 2 heads).
@Suite struct AttentionWhyExportTests {
    /// A shell with ML-100K, a warm split, a tiny GCN "c" and a tiny 2-head GAT "g" (the last model).
    static func harness(withGAT: Bool = true) throws -> (Harness, GAT?) {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load ml-100k path=\(AttentionCommandTests.dataPath); split warm seed=0"))
        #expect(h.shell.run(line: "train gcn as c epochs=1 hidden=8 dim=8 batch=8192"), "\(h.err)")
        guard withGAT else { h.out = ""; return (h, nil) }
        let graph = try #require(h.shell.session.graph)
        var options = try TrainOptions(OptionValues(["epochs": "1", "hidden": "8", "dim": "8", "heads": "2",
                                                     "batch": "8192"]))
        options.seed = 3
        var gat = GAT(graph: graph, options: options)
        let history = try Trainer(options: options).train(&gat, on: graph)
        h.shell.session.store(TrainedModel(name: "g", recommender: gat, options: [:], history: history,
                                           embeddings: gat.embed(graph)))
        h.out = ""
        return (h, gat)
    }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-attention-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func whyForAGATListsAttentionPathsWhoseWeightsAreProductsOfRealEdgeWeights() throws {
        let (h, gat) = try Self.harness()
        let model = try #require(gat)
        // Some top movies of a one-epoch model have no train edge (no path): ask for enough to meet others.
        #expect(h.shell.run(line: "recommend 1 k=100 why"), "\(h.err)")
        let json = try #require(h.objects.last)
        #expect(json["why"] as? String == "leave_one_out")
        #expect(json["attention_paths"] as? Bool == true)
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.count == 100)

        let session = h.shell.session
        let dataset = try #require(session.dataset), graph = try #require(session.graph)
        let attention = model.attention(on: graph)
        let last = AttentionWeights.mean(attention[1]), previous = AttentionWeights.mean(attention[0])
        let users = graph.userCount
        let userIndex = try dataset.resolveUser("1")
        let rated = Set(graph.movies(ofUser: userIndex).map(Int.init))
        let movieIndex = Dictionary(uniqueKeysWithValues: dataset.movies.enumerated().map { ($1.id.number ?? -1, $0) })
        let userByID = Dictionary(uniqueKeysWithValues: dataset.users.enumerated().map { ($1.id.number ?? -1, $0) })
        var sawPath = false
        for item in items {
            #expect(item["because"] is [Any])  // the leave-one-out explanation first, the paths beside it
            let m = try #require(movieIndex[item["movie"] as? Int ?? -1])
            let paths = try #require(item["paths"] as? [[String: Any]])
            #expect(paths.count <= AttentionWhy.top)
            let weights = paths.compactMap { $0["weight"] as? Double }
            #expect(weights.count == paths.count)
            #expect(weights == weights.sorted(by: >))
            let total = try #require(item["path_weight_total"] as? Double)
            #expect(weights.reduce(0, +) <= total * (1 + 1e-9))
            #expect((item["path_count"] as? Int ?? 0) >= paths.count)
            // Shares are of the movie's total path weight: each in 0...1, together at most 1.
            let shares = paths.compactMap { $0["share"] as? Double }
            #expect(shares.count == paths.count && shares.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(shares.reduce(0, +) <= 1 + 1e-9)
            for (w, share) in zip(weights, shares) where total > 0 { #expect(abs(share - w / total) <= 1e-9) }
            for p in paths {
                sawPath = true
                let m1 = try #require(movieIndex[p["rated_movie"] as? Int ?? -1])
                let u2 = try #require(userByID[p["via_user"] as? Int ?? -1])
                // Real edges: the user rated m1 in train, u2 rated m1 and m.
                #expect(rated.contains(m1))
                #expect(graph.movies(ofUser: u2).contains(Int32(m1)))
                #expect(graph.movies(ofUser: u2).contains(Int32(m)))
                // Each factor is that edge's head-averaged attention; the weight is their product.
                let f1 = Double(last.weight(from: users + m1, to: userIndex))
                let f2 = Double(previous.weight(from: users + m1, to: u2))
                let f3 = Double(last.weight(from: u2, to: users + m))
                #expect(abs((p["user_from_rated"] as? Double ?? -1) - f1) < 1e-6)
                #expect(abs((p["via_from_rated"] as? Double ?? -1) - f2) < 1e-6)
                #expect(abs((p["movie_from_via"] as? Double ?? -1) - f3) < 1e-6)
                #expect(f1 > 0 && f2 > 0 && f3 > 0)
                let w = try #require(p["weight"] as? Double)
                #expect(abs(w - f1 * f2 * f3) <= 1e-6 * w)
            }
        }
        #expect(sawPath)
    }

    @Test func whyForAGATShowsPathsInTheTable() throws {
        let (h, _) = try Self.harness()
        h.shell.session.settings.format = .table
        #expect(h.shell.run(line: "recommend 1 k=100 why"), "\(h.err)")
        #expect(h.out.contains("attention paths"))
        #expect(h.out.contains("> user "))
        #expect(h.out.contains("path weight ="))
        #expect(h.out.contains("share of path weight"))
        #expect(h.out.contains("lead over #101 lost without the group"))
    }

    @Test func whyForOtherModelsHasLeaveOneOutWithoutPaths() throws {
        let (h, _) = try Self.harness()
        #expect(h.shell.run(line: "recommend 1 model=c k=3 why top=4"), "\(h.err)")
        let json = try #require(h.objects.last)
        #expect(json["why"] as? String == "leave_one_out" && json["attention_paths"] == nil)
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.allSatisfy { $0["paths"] == nil })
        for item in items {
            let because = try #require(item["because"] as? [[String: Any]])
            let leads = because.compactMap { $0["lead_delta"] as? Double }
            #expect(because.count == 4 && leads.count == 4 && leads == leads.sorted(by: >))
        }
        // The lead is measured against the best movie not shown: #4 of the same model's top 4.
        #expect(h.shell.run(line: "recommend 1 model=c k=4"), "\(h.err)")
        let four = try #require(h.objects.last?["items"] as? [[String: Any]])
        #expect(json["rival"] as? Int != nil && json["rival"] as? Int == four.last?["movie"] as? Int)
    }

    @Test func whyForFixedUserVectorsFallsBackToCosineAndSaysSo() throws {
        let (h, _) = try Self.harness(withGAT: false)
        #expect(h.shell.run(line: "train mf epochs=1 dim=8"), "\(h.err)")
        #expect(h.shell.run(line: "recommend 1 model=mf k=2 why"), "\(h.err)")
        let json = try #require(h.objects.last)
        #expect(json["why"] as? String == "embedding_similarity")
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.allSatisfy { (($0["because"] as? [[String: Any]]) ?? []).allSatisfy { $0["similarity"] is Double } })
        #expect(h.err.contains("removing a like cannot move"))
    }

    @Test func exportAttentionCSVHasEveryEdgeOfEveryLayerAndHeadWithOriginalIDs() throws {
        let (h, gat) = try Self.harness()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/attention.csv"
        #expect(h.shell.run(line: "export attention model=g \(file)"), "\(h.err)")
        let result = try #require(h.objects.last)
        let graph = try #require(h.shell.session.graph), dataset = try #require(h.shell.session.dataset)
        // Edges both ways plus one self-loop per node, times heads, times layers.
        let perView = 2 * graph.edgeCount + graph.nodeCount
        let layers = try #require(gat).layers
        let expected = perView * 2 * layers
        #expect(result["rows"] as? Int == expected)
        #expect(result["layers"] as? Int == 2 && result["heads"] as? Int == 2)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "layer,head,destination_kind,destination,source_kind,source,weight,self_loop")
        #expect(lines.count == expected + 1)
        var sums: [String: Double] = [:]
        var selfLoops = 0
        var pairs = Set<String>()
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(f.count == 8)
            sums["\(f[0])/\(f[1])/\(f[2])/\(f[3])", default: 0] += Double(f[6]) ?? .nan
            if f[7] == "1" { selfLoops += 1; #expect(f[2] == f[4] && f[3] == f[5]) }
            if f[0] == "1" && f[1] == "1" && f[2] == "user" { pairs.insert("\(f[3])-\(f[5])") }
        }
        #expect(sums.count == graph.nodeCount * 4)
        #expect(sums.values.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(selfLoops == graph.nodeCount * 4)
        // Original ids: every train edge (user id, movie id) appears as movie -> user.
        for edge in graph.edges.prefix(200) {
            #expect(pairs.contains("\(dataset.users[Int(edge.user)].id)-\(dataset.movies[Int(edge.movie)].id)"))
        }
    }

    @Test func exportAttentionJSONHasOneBlockPerLayerAndHead() throws {
        let (h, _) = try Self.harness()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/attention.json"
        #expect(h.shell.run(line: "export attention \(file)"), "\(h.err)")
        let graph = try #require(h.shell.session.graph)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
            as? [String: Any])
        #expect(object["model"] as? String == "g")
        let views = try #require(object["views"] as? [[String: Any]])
        #expect(views.count == 4)
        for v in views {
            let destinations = try #require(v["destination"] as? [Int]), kinds = try #require(v["destination_kind"] as? [String])
            let weights = try #require(v["weight"] as? [Double])
            #expect(weights.count == 2 * graph.edgeCount + graph.nodeCount)
            #expect(destinations.count == weights.count && kinds.count == weights.count)
            var sums: [String: Double] = [:]
            for i in weights.indices { sums["\(kinds[i])\(destinations[i])", default: 0] += weights[i] }
            #expect(sums.count == graph.nodeCount)
            #expect(sums.values.allSatisfy { abs($0 - 1) < 1e-5 })
        }
    }

    @Test func exportAttentionErrorsAreClearAndChangeNothing() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (plain, _) = try Self.harness(withGAT: false)
        #expect(!plain.shell.run(line: "export attention \(dir)/a.csv"))
        #expect((plain.objects.last?["error"] as? String)?.contains("no GAT model") == true)

        let (h, _) = try Self.harness()
        #expect(!h.shell.run(line: "export attention model=c \(dir)/b.csv"))
        #expect((h.objects.last?["error"] as? String)?.contains("gcn model") == true)
        #expect(!h.shell.run(line: "export attention \(dir)/c.safetensors"))
        #expect((h.objects.last?["error"] as? String)?.contains(".csv or .json") == true)
        #expect(!h.shell.run(line: "export attention \(dir)/missing/d.csv"))
        #expect((h.objects.last?["error"] as? String)?.contains("does not exist") == true)
        #expect(!h.shell.run(line: "export attention model=nope \(dir)/e.csv"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        #expect(h.shell.session.models.map(\.name) == ["c", "g"])
    }
}
