import Foundation
import GraphRec

/// `info`: the data set, graph, split, models and the memory each part holds.
extension DataCommands {
    // MARK: info

    static func info(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let d = try session.requireDataset("info")
        let graph = session.graph ?? d.graph(edges: d.positives)
        let positives = d.positiveCount
        var isolatedUsers = 0, isolatedMovies = 0
        for u in 0..<graph.userCount where graph.degree(user: u) == 0 { isolatedUsers += 1 }
        for m in 0..<graph.movieCount where graph.degree(movie: m) == 0 { isolatedMovies += 1 }
        let meanUserDegree = graph.userCount > 0 ? Double(graph.edgeCount) / Double(graph.userCount) : 0
        let meanMovieDegree = graph.movieCount > 0 ? Double(graph.edgeCount) / Double(graph.movieCount) : 0

        let dataFields: [(String, Value)] = [
            ("dataset", .string(d.name)), ("layout", .string(d.layout.rawValue)), ("path", .string(d.directory)),
            ("sha256", .string(d.checksum)), ("ratings", .int(d.ratings.count)),
            ("min_rating", .double(Double(d.minRating))),
            ("users", .int(d.userCount)), ("movies", .int(d.movieCount)), ("positive_edges", .int(positives)),
            ("implicit", .bool(d.implicit)), ("timestamps", .bool(d.hasTimestamps)),
            ("user_ids", .string(d.userIDsAreNumbers ? "number" : "text")),
            ("movie_ids", .string(d.movieIDsAreNumbers ? "number" : "text")),
        ]
        let graphFields: [(String, Value)] = [
            ("graph_edges", .int(graph.edgeCount)),
            ("mean_user_degree", .double(meanUserDegree)), ("mean_movie_degree", .double(meanMovieDegree)),
            ("users_without_edges", .int(isolatedUsers)), ("movies_without_edges", .int(isolatedMovies)),
        ]
        let featureFields: [(String, Value)] = [
            ("user_features", .int(d.userFeatures?.cols ?? 0)), ("movie_features", .int(d.movieFeatures?.cols ?? 0)),
            ("gnn_input", .string(NodeInput.describe(graph))),
        ]
        let splitObject: Value = session.split.map { .object(splitFields($0)) } ?? .null
        let modelObjects: [Value] = session.models.map(modelValue)

        let ledger = memoryLedger(session)
        let memoryObject: Value = .object(ledger.parts.filter { !$0.name.hasPrefix("model:") }.map { ($0.name, Value.int($0.bytes)) } + [
            ("models", .object(ledger.parts.filter { $0.name.hasPrefix("model:") }.map { (String($0.name.dropFirst(6)), Value.int($0.bytes)) })),
            ("total", .int(ledger.total)),
        ])

        var payload = dataFields + graphFields + featureFields
        payload += [
            ("user_feature_names", .array(d.userFeatureNames.map { .string($0) })),
            ("movie_feature_names", .array(d.movieFeatureNames.map { .string($0) })),
            ("split", splitObject), ("models", .array(modelObjects)), ("memory", memoryObject),
        ]

        // For people: the same facts, grouped, with the long lists summarised.
        var people = dataFields + graphFields
        people.append(("user_features", .string(featureSummary(d.userFeatureNames))))
        people.append(("movie_features", .string(featureSummary(d.movieFeatureNames))))
        people.append(("gnn_input", .string(NodeInput.describe(graph))))
        if let split = session.split {
            let s = split.summary
            let ratios = split.ratios.isEmpty ? "" : " \(split.ratios.map(String.init).joined(separator: "/"))"
            let seed = split.kind == .warm || split.kind == .cold ? " seed=\(split.seed)" : ""
            people.append(("split", .string("\(split.kind)\(ratios)\(seed)")))
            people.append(("train/val/test", .string("\(s.trainEdges) / \(s.validationEdges) / \(s.testEdges) edges")))
            people.append(("users_without_test", .int(s.usersWithoutTest)))
        } else {
            people.append(("split", .string("none (the graph holds every positive; try 'split warm')")))
        }
        people.append(("memory", .string(ledger.parts.map { "\($0.name.hasPrefix("model:") ? String($0.name.dropFirst(6)) : $0.name) "
            + ResourceBudget.bytes(Double($0.bytes)) }.joined(separator: ", ") + "; total " + ResourceBudget.bytes(Double(ledger.total)))))
        var blocks: [CommandResult.Block] = [.fields(people)]
        if session.models.isEmpty {
            blocks.append(.text(["models: none trained yet" + (session.split == nil ? "" : "; try 'train gcn'")]))
        } else {
            blocks.append(.table(modelsTable(session.models)))
        }
        return CommandResult(command: "info", blocks: blocks, payload: payload)
    }

    /// The session's memory by part: data set, graph (edges and CSR), split, each model ("model:NAME").
    static func memoryLedger(_ session: Session) -> MemoryLedger {
        var ledger = MemoryLedger()
        ledger.begin("dataset")
        if let d = session.dataset { ledger.add(d) }
        ledger.begin("graph")
        if let g = session.graph { ledger.add(g) }
        ledger.begin("split")
        if let s = session.split { ledger.add(s) }
        for model in session.models {
            ledger.begin("model:" + model.name)
            ledger.add(model)
        }
        return ledger
    }

    /// "age, gender (2), occupation (21)": names grouped by their "group:" prefix;
    /// long ungrouped lists show their first names and a count.
    static func featureSummary(_ names: [String]) -> String {
        guard !names.isEmpty else { return "none (ID embeddings only)" }
        var groups: [(String, Int)] = []
        for name in names {
            let key = name.firstIndex(of: ":").map { String(name[..<$0]) } ?? name
            if let i = groups.firstIndex(where: { $0.0 == key }) { groups[i].1 += 1 } else { groups.append((key, 1)) }
        }
        let parts = groups.map { $0.1 > 1 ? "\($0.0) (\($0.1))" : $0.0 }
        let shown = parts.count > 6 ? parts.prefix(5).joined(separator: ", ") + ", ..." : parts.joined(separator: ", ")
        return "\(names.count): \(shown)"
    }

    /// The metric columns `info` shows for each model, when the model has them.
    static let shownMetrics = ["precision", "recall", "ndcg", "hit_rate"]

    static func modelValue(_ m: TrainedModel) -> Value {
        let metrics = m.lastMetrics.keys.sorted().map { ($0, Value.double(m.lastMetrics[$0]!)) }
        return .object([
            ("name", .string(m.name)), ("kind", .string(m.kind)), ("epochs", .int(m.history.epochs)),
            ("seconds", .double(m.history.totalSeconds)),
            ("on", m.lastMetricsOn.map { .string($0) } ?? .null),
            ("metrics", .object(metrics)),
        ])
    }

    static func modelsTable(_ models: [TrainedModel]) -> Table {
        let columns = [Table.Column("model"), Table.Column("kind"), Table.Column("epochs", .integer),
                       Table.Column("on")] + shownMetrics.map { Table.Column($0, .number(decimals: 4)) }
        let rows: [[Value]] = models.map { m in
            [.string(m.name), .string(m.kind), .int(m.history.epochs), .string(m.lastMetricsOn ?? "-")]
                + shownMetrics.map { m.lastMetrics[$0].map(Value.double) ?? .null }
        }
        return Table(name: "models", title: "Trained models", columns: columns, rows: rows)
    }
}
