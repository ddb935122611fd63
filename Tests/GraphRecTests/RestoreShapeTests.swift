import Testing
import Tensors
@testable import GraphRec

/// A saved model is checked against what its kind declares for its recorded
/// options and the data set's counts before anything is built.
@Suite struct RestoreShapeTests {
    let graph = TinyGraph.make()

    func record(_ name: String, _ text: [String: String] = [:]) throws -> ModelRecord {
        let kind = try ModelRegistry.kind(name)
        let given = ["hidden": "8", "dim": "4", "batch": "16", "negatives": "3", "epochs": "1", "factors": "4"]
            .merging(text) { $1 }.filter { key, _ in kind.options.contains { $0.name == key } }
        let fitted = try kind.fit(FitRequest(graph: graph, options: try kind.parse(given)))
        return ModelRecord(name: "m", kind: name, options: fitted.options.text, history: fitted.history,
                           parameters: fitted.recommender.parameters, embeddings: fitted.recommender.scorer(graph) as? Embeddings)
    }

    func error(_ record: ModelRecord) -> String {
        recErrorMessage { _ = try ModelRegistry.restore(record, graph: graph) } ?? "accepted"
    }

    @Test(arguments: ["gcn", "gat", "lightgcn", "mf", "als", "svd", "pop", "itemknn", "ease"])
    func everyKindRestoresToTheSameEmbeddings(kind: String) throws {
        let r = try record(kind, ["ids": "on"])
        let restored = try ModelRegistry.restore(r, graph: graph)
        #expect(restored.parameters == r.parameters)
        #expect(restored.scorer(graph) as? Embeddings == r.embeddings)
    }

    @Test(arguments: ["gcn", "gat"])
    func theFeatureBiasRestoresAndItsShapeIsChecked(kind: String) throws {
        let r = try record(kind, ["feature-bias": "on", "bias": "on"])
        let w = try #require(r.parameters[FeatureBias.name])
        let restored = try ModelRegistry.restore(r, graph: graph)
        #expect(restored.parameters == r.parameters)
        #expect(restored.scorer(graph) as? Embeddings == r.embeddings)
        var bad = r
        bad.parameters[FeatureBias.name] = Matrix(rows: w.rows, cols: w.cols + 1)
        #expect(error(bad).contains("tensor '\(FeatureBias.name)' has shape [\(w.rows), \(w.cols + 1)]"), "\(error(bad))")
    }

    @Test func gcnLayerWeightsOfTheWrongShapeAreRefused() throws {
        let r = try record("gcn")
        for (name, rows) in [("layer1.W", 50), ("layer1.B", 30)] {
            var bad = r
            bad.parameters[name] = Matrix(rows: rows, cols: 8)
            let message = error(bad)
            #expect(message.contains("model 'm' (gcn): tensor '\(name)' has shape [\(rows), 8], expected [5, 8]"), "\(message)")
        }
    }

    @Test func gatInputProjectionOfTheWrongShapeIsRefused() throws {
        var r = try record("gat")
        r.parameters["input.users.W"] = Matrix(rows: 30, cols: 8)
        #expect(error(r).contains("tensor 'input.users.W' has shape [30, 8], expected [3, 8]"), "\(error(r))")
    }

    @Test func easeItemsMustCoverTheMovies() throws {
        var r = try record("ease")
        r.parameters["items"] = Matrix(rows: 10, cols: 10)
        #expect(error(r).contains("tensor 'items' has shape [10, 10], expected [15, 15]"), "\(error(r))")
    }

    @Test func embeddingsMustCoverTheDataSet() throws {
        var r = try record("mf")
        r.embeddings = Embeddings(users: Matrix(rows: 2000, cols: 4), items: r.embeddings!.items)
        #expect(error(r).contains("saved embeddings cover 2000 users and 15 movies; the data set has 12 and 15"), "\(error(r))")
    }

    /// A manifest that says layers=1 for a two-layer GCN would build another model: refused.
    @Test func recordedOptionsMustMatchTheTensors() throws {
        var r = try record("gcn")
        r.options["layers"] = "1"
        #expect(error(r).contains("tensor 'layer2.B' is not a parameter of gcn with its recorded options"), "\(error(r))")
        r = try record("gcn")
        r.options["layers"] = "many"
        #expect(error(r).contains("recorded option layers: expected a whole number, got 'many'"), "\(error(r))")
        r = try record("gcn")
        r.parameters["layer1.W"] = nil
        #expect(error(r).contains("tensor 'layer1.W' is missing"), "\(error(r))")
        r = try record("pop")
        r.parameters["extra"] = Matrix(rows: 1, cols: 1)
        #expect(error(r).contains("tensor 'extra' is not a parameter of pop"), "\(error(r))")
    }

    /// NCF has no embeddings (its MLP is not a dot product): it restores to the same scores, and its
    /// shapes follow from the recorded widths.
    @Test func ncfRestoresToTheSameScoresAndChecksItsWidths() throws {
        let r = try record("ncf", ["mlp": "8,4", "epochs": "1"])
        #expect(r.embeddings == nil)
        let restored = try ModelRegistry.restore(r, graph: graph)
        let users = Array(0..<graph.userCount)[...]
        let fitted = try NCF(parameters: r.parameters)
        #expect(restored.scorer(graph).scores(users: users) == fitted.scorer(graph).scores(users: users))
        var bad = r
        bad.options["mlp"] = "8,2"
        #expect(error(bad).contains("model 'm' (ncf): tensor 'mlp.b1' has shape [1, 4], expected [1, 2]"), "\(error(bad))")
    }

    @Test func unknownKindsAreNamed() throws {
        var r = try record("pop")
        r.kind = "ncf2"
        #expect(error(r).contains("model 'm': kind 'ncf2' is not one this recsh can rebuild"), "\(error(r))")
    }
}
