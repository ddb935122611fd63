import Testing
import Tensors
@testable import GraphRec

/// Fitting through the registry: typed options as trained, presets and
/// early stopping on splits with and without validation edges.
@Suite struct RegistryFitTests {
    let graph = TinyGraph.make(users: 30, movies: 20)

    /// A split like `official u1`: train and test, no validation edges.
    var noValidation: Split {
        let edges = graph.edges
        return Split(kind: .official("u1"), ratios: [], seed: 0, train: edges, validation: [],
                     test: [Edge(0, Int(edges.count % 20))])
    }

    let small = ["hidden": "8", "dim": "4", "batch": "64", "negatives": "3"]

    @Test func patienceWithoutValidationEdgesCarvesASeededShareOfTrain() throws {
        let options = small.merging(["epochs": "6", "patience": "2", "seed": "3"]) { $1 }
        let a = try ModelRegistry.fit("gcn", options: options, split: noValidation, graph: graph)
        #expect(a.validationSource == .carved(percent: 10, seed: 3))
        #expect(!a.history.validationNDCG.isEmpty && a.history.validationNDCG.count == a.history.epochs)
        #expect(a.notes.contains { $0.contains("10% of each user's train positives (seed 3)") })
        #expect(a.validation == nil)
        let b = try ModelRegistry.fit("gcn", options: options, split: noValidation, graph: graph)
        #expect(a.history.loss == b.history.loss && a.embeddings == b.embeddings)
    }

    @Test func presetBestRunsOnASplitWithoutValidation() throws {
        let options = small.merging(["preset": "best", "epochs": "2"]) { $1 }
        let fitted = try ModelRegistry.fit("gcn", options: options, split: noValidation, graph: graph)
        #expect(fitted.validationSource == .carved(percent: 10, seed: 0))
        #expect(try fitted.options.word("preset") == "best" && fitted.options["patience"] == .int(5))
    }

    @Test func withoutPatienceEveryEpochTrains() throws {
        let fitted = try ModelRegistry.fit("mf", options: ["dim": "4", "epochs": "3"], split: noValidation, graph: graph)
        #expect(fitted.validationSource == .none && fitted.history.epochs == 3 && fitted.history.validationNDCG.isEmpty)
    }

    @Test func optionsAreTypedAndAsTrained() throws {
        let split = try Split.warm(positives: graph.edges, seed: 0)
        let g = InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: split.train,
                                 userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
        let fitted = try ModelRegistry.fit("gcn", options: small.merging(["features": "off", "epochs": "1"]) { $1 },
                                           split: split, graph: g)
        #expect(fitted.options["features"] == .flag(false) && fitted.options["ids"] == .flag(true))
        #expect(fitted.options["lr"] == .number(0.001) && fitted.options["epochs"] == .int(1))
        #expect(fitted.validationSource == .split && fitted.validation != nil)
        #expect(fitted.options.text["lr"] == "0.001" && fitted.options.text["patience"] == "off")
    }

    @Test func errorsNameTheOptionNotACommand() {
        let cases: [(String, [String: String], String)] = [
            ("gcn", ["epochs": "abc"], "epochs: expected a whole number, got 'abc'"),
            ("ease", ["factors": "3"], "unknown option 'factors' (accepted: lambda, seed)"),
            ("mf", ["preset": "best"], "unknown option 'preset'"),
            ("gcn", ["lr": "1e9"], "lr: 1e9 is out of range"),
            ("nope", [:], "unknown model 'nope'"),
        ]
        for (kind, options, message) in cases {
            let text = recErrorMessage { _ = try ModelRegistry.fit(kind, options: options, split: noValidation, graph: graph) }
            #expect(text?.contains(message) == true, "\(kind) \(options): \(text ?? "accepted")")
            #expect(text?.contains("train") == false, "\(text ?? "")")
        }
    }

    @Test func capabilitiesAreDeclaredPerKind() throws {
        #expect(try ModelRegistry.kind("gat").capabilities.attention)
        #expect(try !ModelRegistry.kind("gcn").capabilities.attention)
        #expect(try !ModelRegistry.kind("pop").capabilities.lossCurve && ModelRegistry.kind("mf").capabilities.lossCurve)
        #expect(try ModelRegistry.kind("mf").capabilities.coldUsers == .init(noEdges: .popularity, fewLikes: .foldIn))
        #expect(Set(ModelRegistry.names).count == ModelRegistry.kinds.count)
        for kind in ModelRegistry.kinds {
            // The declared default parses back to itself, so help, records and validation agree.
            for option in kind.options where option.defaultValue != .off || option.type != .flag {
                #expect(try option.parse(option.defaultValue.description) == option.defaultValue, "\(kind.name) \(option.name)")
            }
        }
    }
}
