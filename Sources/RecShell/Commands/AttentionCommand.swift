import Foundation
import GraphRec

/// `attention`: what a GAT's attention does at one node, or over the graph.
/// The numbers come from `AttentionInspection`; this file only picks the
/// model, the node, the layers and heads, and lays out the result.
enum AttentionCommand {
    static func run(_ session: Session, _ command: ParsedCommand) throws -> CommandResult {
        let dataset = try session.requireDataset("attention")
        let graph = try session.requireGraph("attention")
        let (name, gat) = try gatModel(session, command.options["model"])
        let attention = gat.attention(on: graph)
        let layers = try pick(command.options, "layer", count: attention.count)
        let kind = command.subcommand ?? "summary", token = command.argument(0) ?? ""
        let node: Int
        switch kind {
        case "user": node = try dataset.resolveUser(token)
        case "movie": node = graph.userCount + (try dataset.resolveMovie(token))
        default: return summary(attention, layers: layers, heads: command.options, model: name)
        }
        let top = try command.options.int("top", default: 10, range: 1...100_000)
        var blocks: [CommandResult.Block] = []
        var views: [Value] = []
        for l in layers {
            for h in try pick(command.options, "head", count: attention[l].count) {
                let view = AttentionInspection.node(node, in: attention[l][h])
                blocks.append(.fields(header(view)))
                blocks.append(.table(neighbourTable(view, dataset: dataset, top: top)))
                let neighbours: [Value] = view.neighbours.prefix(top).map { .object(neighbourFields($0, dataset: dataset)) }
                var object = header(view)
                object.append(("neighbors", .array(neighbours)))
                views.append(.object(object))
            }
        }
        var first: [(String, Value)] = []
        if case .object(let o)? = views.first { first = o.filter { ["layer", "head", "neighbors"].contains($0.0) } }
        // The contract's top-level fields describe the first (layer, head) shown; `views` has them all.
        let nodeObject: Value = .object([("kind", .string(kind)), ("id", .string(token))])
        var payload: [(String, Value)] = [("model", .string(name)), ("node", nodeObject)]
        payload += first
        payload.append(("views", .array(views)))
        return CommandResult(command: "attention", blocks: blocks, payload: payload)
    }

    /// The named GAT (an error naming `command` if it is another kind), or the most recent one.
    static func gatModel(_ session: Session, _ name: String?, command: String = "attention") throws -> (String, GAT) {
        if let name {
            let m = try session.model(name, command: command)
            guard let gat = m.recommender as? GAT else {
                throw ShellError.message("\(command): '\(name)' is a \(m.kind) model; attention needs a GAT (train gat)")
            }
            return (m.name, gat)
        }
        for m in session.models.reversed() {
            if let gat = m.recommender as? GAT { return (m.name, gat) }
        }
        throw ShellError.message("\(command): no GAT model yet; try 'train gat'")
    }

    /// 0-based indices for `layer=`/`head=` (1-based, or all when absent).
    static func pick(_ options: OptionValues, _ key: String, count: Int) throws -> [Int] {
        guard options.has(key), options[key] != "all" else { return Array(0..<count) }
        return [try options.int(key, default: 1, range: 1...count) - 1]
    }

    static func header(_ v: NodeAttention) -> [(String, Value)] {
        [("layer", .int(v.layer)), ("head", .int(v.head)), ("sources", .int(v.neighbours.count)),
         ("total", .double(v.total)), ("entropy", .double(v.entropy)), ("max_entropy", .double(v.maxEntropy)),
         ("normalized_entropy", .double(v.normalisedEntropy)), ("uniform_weight", .double(v.uniformWeight)),
         ("gcn_mean_weight", v.gcnMeanWeight.map { .double($0) } ?? .null), ("self_weight", .double(v.selfWeight))]
    }

    static func neighbourFields(_ n: NodeAttention.Neighbour, dataset: Dataset) -> [(String, Value)] {
        let (id, title) = describe(n.node, dataset: dataset)
        return [("kind", .string(n.node.kind)), ("id", .id(id)), ("title", .string(title)),
                ("weight", .double(Double(n.weight))), ("self", .bool(n.isSelfLoop)), ("degree", .int(n.degree))]
    }

    /// The data set's id and a readable label: a title, or a user's age/gender/occupation.
    static func describe(_ node: AttentionNode, dataset: Dataset) -> (NodeID, String) {
        switch node {
        case .movie(let m): return (dataset.movies[m].id, dataset.movies[m].title)
        case .user(let u):
            let user = dataset.users[u]
            let parts = [user.age.map(String.init), user.gender, user.occupation].compactMap { $0 }
            return (user.id, "user " + (parts.isEmpty ? "\(user.id)" : parts.joined(separator: "/")))
        }
    }

    static func neighbourTable(_ v: NodeAttention, dataset: Dataset, top: Int) -> Table {
        let heaviest = Double(v.neighbours.first?.weight ?? 1)
        let rows: [[Value]] = v.neighbours.prefix(top).map { n in
            let (id, title) = describe(n.node, dataset: dataset)
            let w = Double(n.weight)
            let bar = String(repeating: "█", count: max(0, Int((w / max(heaviest, 1e-12) * 20).rounded())))
            return [.string(n.node.kind), .id(id), .string(n.isSelfLoop ? "(self) " + title : title),
                    .int(n.degree), .double(w), .double(w / v.uniformWeight), .string(bar)]
        }
        let (_, label) = describe(v.node, dataset: dataset)
        return Table(name: "neighbors",
                     title: "\(label): layer \(v.layer), head \(v.head), \(v.neighbours.count) sources"
                        + (v.neighbours.count > top ? " (top \(top))" : ""),
                     columns: [.init("kind"), .init("id", .integer), .init("title"), .init("degree", .integer),
                               .init("weight", .number(decimals: 4)), .init("x uniform", .number(decimals: 2)),
                               .init("", .flag)],   // a bar: never shortened, it stands for a number
                     rows: rows)
    }

    static func summary(_ attention: [[AttentionWeights]], layers: [Int], heads: OptionValues, model: String) -> CommandResult {
        var rows: [[Value]] = []
        var objects: [Value] = []
        var blocks: [CommandResult.Block] = []
        for l in layers {
            let chosen = (try? pick(heads, "head", count: attention[l].count)) ?? Array(0..<attention[l].count)
            for h in chosen {
                let s = AttentionInspection.summary(attention[l][h])
                rows.append([.int(s.layer), .int(s.head), .int(s.nodes), .double(s.meanNormalisedEntropy),
                             .double(s.medianNormalisedEntropy), .double(s.meanNormalisedEntropyUsers),
                             .double(s.meanNormalisedEntropyMovies), .double(s.meanTotalVariation),
                             .double(s.meanSelfWeightOverUniform), s.degreeCorrelation.map { .double($0) } ?? .null])
                objects.append(.object([
                    ("layer", .int(s.layer)), ("head", .int(s.head)), ("nodes", .int(s.nodes)),
                    ("mean_normalized_entropy", .double(s.meanNormalisedEntropy)),
                    ("median_normalized_entropy", .double(s.medianNormalisedEntropy)),
                    ("mean_total_variation", .double(s.meanTotalVariation)),
                    ("self_weight_over_uniform", .double(s.meanSelfWeightOverUniform)),
                    ("degree_correlation", s.degreeCorrelation.map { .double($0) } ?? .null),
                    ("bin_edges", .array(s.binEdges.map { .double($0) })),
                    ("histogram", .array(s.histogram.map { .int($0) })),
                ]))
                let biggest = max(s.histogram.max() ?? 1, 1)
                let lines = s.histogram.indices.map { i -> String in
                    let bar = String(repeating: "█", count: Int((Double(s.histogram[i]) / Double(biggest) * 40).rounded()))
                    return String(format: "  %.1f-%.1f %6d %@", s.binEdges[i], s.binEdges[i + 1], s.histogram[i], bar)
                }
                blocks.append(.text(["layer \(s.layer) head \(s.head): normalized entropy H/ln(|N|+1) over \(s.nodes) nodes"] + lines))
            }
        }
        let table = Table(name: "summary", title: "attention of \(model) against uniform (1.0 = uniform)",
                          columns: [.init("layer", .integer), .init("head", .integer), .init("nodes", .integer),
                                    .init("mean H/Hmax", .number(decimals: 3)), .init("median", .number(decimals: 3)),
                                    .init("users", .number(decimals: 3)), .init("movies", .number(decimals: 3)),
                                    .init("TV from uniform", .number(decimals: 3)), .init("self x uniform", .number(decimals: 2)),
                                    .init("rho(weight, degree)", .number(decimals: 3))],
                          rows: rows)
        blocks.insert(.table(table), at: 0)
        blocks.append(.text(["Near 1.0 mean H/Hmax and small TV mean attention is close to a mean over neighbours",
                             "(plus self): GAT then computes nearly what GCN does."]))
        return CommandResult(command: "attention", blocks: blocks,
                             payload: [("model", .string(model)), ("summary", .array(objects))])
    }
}
