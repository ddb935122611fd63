import Foundation
import GraphRec
import Testing
import TestSupport
@testable import RecShell

/// `attention` on a small GAT trained in-process on ML-100K (one epoch, tiny widths).
@Suite struct AttentionCommandTests {
    static var dataPath: String { TestData.ml100k }

    /// A shell with ML-100K loaded, a warm split and a GAT called "g" (2 heads).
    static func harness() throws -> Harness {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load ml-100k path=\(dataPath); split warm seed=0"))
        let graph = try #require(h.shell.session.graph)
        var options = try TrainOptions(OptionValues(["epochs": "1", "hidden": "8", "dim": "8", "heads": "2",
                                                     "batch": "8192"]))
        options.seed = 1
        var gat = GAT(graph: graph, options: options)
        let history = try Trainer(options: options).train(&gat, on: graph)
        h.shell.session.store(TrainedModel(name: "g", recommender: gat, options: [:], history: history,
                                           embeddings: gat.embed(graph)))
        h.out = ""
        return h
    }

    @Test func userAttentionSumsToOneAndListsNeighboursHeaviestFirst() throws {
        let h = try Self.harness()
        #expect(h.shell.run(line: "attention user 1 layer=1 head=2 top=5"))
        let json = try #require(h.objects.last)
        #expect(json["ok"] as? Bool == true)
        #expect(json["layer"] as? Int == 1 && json["head"] as? Int == 2)
        let views = try #require(json["views"] as? [[String: Any]])
        #expect(views.count == 1)
        let total = try #require(views[0]["total"] as? Double)
        #expect(abs(total - 1) < 1e-5)
        let neighbours = try #require(json["neighbors"] as? [[String: Any]])
        #expect(neighbours.count == 5)
        let weights = neighbours.compactMap { $0["weight"] as? Double }
        #expect(weights == weights.sorted(by: >))
        #expect(neighbours.allSatisfy { ["user", "movie"].contains($0["kind"] as? String ?? "") })
    }

    @Test func withoutLayerOrHeadEveryLayerAndHeadIsShown() throws {
        let h = try Self.harness()
        #expect(h.shell.run(line: "attention movie \"Star Wars (1977)\""))
        let views = try #require(h.objects.last?["views"] as? [[String: Any]])
        #expect(views.count == 4) // 2 layers x 2 heads
        for v in views { #expect(abs((v["total"] as? Double ?? 0) - 1) < 1e-5) }
    }

    @Test func summaryCoversEveryLayerAndHead() throws {
        let h = try Self.harness()
        #expect(h.shell.run(line: "attention summary"))
        let rows = try #require(h.objects.last?["summary"] as? [[String: Any]])
        #expect(rows.count == 4)
        for r in rows {
            let e = try #require(r["mean_normalized_entropy"] as? Double)
            #expect(e > 0 && e <= 1)
        }
    }

    @Test func badInputIsAClearErrorAndChangesNothing() throws {
        let h = try Self.harness()
        #expect(!h.shell.run(line: "attention user 99999"))
        #expect(!h.shell.run(line: "attention user 1 layer=3"))
        #expect(!h.shell.run(line: "attention user"))
        let errors = h.objects.compactMap { $0["error"] as? String }
        #expect(errors.count == 3)
        #expect(errors[1].contains("layer"))
        #expect(h.shell.session.models.count == 1)
    }
}
