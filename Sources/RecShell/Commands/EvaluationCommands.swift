import Foundation
import GraphRec

/// Ranking metrics for trained models.
public enum EvaluationCommands {
    public static let specs = CommandSpec.group("Evaluation", [
        CommandSpec(name: "eval",
            summary: "Precision, recall, NDCG, MRR, hit rate and MAP at K for each model (all models when none named).",
            details: """
                Each user with a positive in the chosen part is ranked over every movie, excluding their
                train positives (and validation positives when on=test). lsh=PLANES ranks LSH candidates only.
                protocol=seed walks from this honest protocol to the seed study's, one change per row: the
                evaluated users' held-out edges in the message-passing graph (the leak), cosine scores, nothing
                excluded, MRR over users with a hit only. Use it on 'split seed-study' to see where the
                published figures came from.
                """,
            arguments: [ArgumentSpec("NAME", "model name", required: false, variadic: true, completion: .models)],
            options: [OptionSpec("on", "val|test", default: "test", "which part to evaluate on", values: ["val", "test"]),
                      OptionSpec("k", "N", default: "10", "cut-off K"),
                      OptionSpec("lsh", "PLANES", "rank LSH candidates from PLANES hyperplanes instead of all movies"),
                      OptionSpec("protocol", "honest|seed", default: "honest",
                                 "seed: also each step towards the seed study's leaky protocol", values: ["honest", "seed"])],
            requires: [.dataset, .split, .model],
            example: "eval gcn on=test k=10", handler: eval),
        CommandSpec(name: "compare",
            summary: "Metrics of several models side by side; with seeds=, retrained per seed as mean ± std.",
            details: """
                Without seeds= the trained models are evaluated as they are on the current split.
                With seeds=S,S,... each named model's kind and options are retrained for every seed: the data
                is re-split (the current split's kind and ratios when warm or cold, else warm 80/10/10) with
                that seed, the model trained with seed=S, then evaluated. The session is left unchanged.
                A paired t-test and sign test on per-user NDCG compare the best model with each other one
                (on the first seed).
                """,
            arguments: [ArgumentSpec("NAME", "model name", required: false, variadic: true, completion: .models)],
            options: [OptionSpec("seeds", "S,S,...", "retrain with each seed (split and model); without it, as trained"),
                      OptionSpec("on", "val|test", default: "test", "which part to evaluate on", values: ["val", "test"]),
                      OptionSpec("k", "N", default: "10", "cut-off K")],
            requires: [.dataset, .split, .model],
            example: "compare gcn pop seeds=0,1,2", handler: compare),
    ])

    /// The models a command names, or every model when none is named.
    static func namedModels(_ session: Session, _ names: [String], command: String) throws -> [TrainedModel] {
        if names.isEmpty { return session.models }
        var seen: Set<String> = []
        return try names.filter { seen.insert($0).inserted }.map { try session.model($0, command: command) }
    }

    /// The `on=` and `k=` options.
    static func part(_ command: ParsedCommand, session: Session, movies: Int) throws -> (Split.Part, Int) {
        let on = try command.options.choice("on", default: "test", from: ["val", "test"])
        let k = try command.options.int("k", default: session.settings.k, range: 1...max(1, movies))
        return (on == "val" ? .validation : .test, k)
    }

    static func eval(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let split = try session.requireSplit("eval"), graph = try session.requireGraph("eval")
        let models = try namedModels(session, command.arguments, command: "eval")
        let (part, k) = try part(command, session: session, movies: graph.movieCount)
        let evaluator = try Evaluator(split: split, graph: graph, on: part, k: k)
        if try command.options.choice("protocol", default: "honest", from: ["honest", "seed"]) == "seed" {
            if command.options["lsh"] != nil {
                throw ShellError.message("eval: protocol=seed ranks every movie; it does not combine with lsh=")
            }
            return try evalSeedProtocol(models, split: split, graph: graph, part: part, k: k, context: context)
        }
        if let text = command.options["lsh"] {
            return try evalLSH(models, planes: LSHSupport.planes(fromOption: text), set: evaluator.set, part: part, k: k,
                               seed: session.settings.seed)
        }
        guard !evaluator.set.users.isEmpty else {
            throw ShellError.message("eval: no user has a \(part.rawValue) positive in this split")
        }
        var rows: [[Value]] = []
        var objects: [Value] = []
        var notes: [String] = []
        let cold = ColdStart.usersWithoutEdges(graph, among: evaluator.set.users)
        for (i, model) in models.enumerated() {
            context.run.report(ProgressUpdate(label: "eval", done: i, total: models.count, detail: model.name))
            let r = try evaluator.evaluate(model.scorer, control: context.run)
            let methods = ColdStart.methodCounts(model.recommender, graph: graph, users: evaluator.set.users)
            if model.kind != Popularity.name && methods.contains(where: { $0.method != .trained }) {
                notes.append("\(model.name): " + methods.map { "\($0.users) users \($0.method.explanation)" }.joined(separator: "; "))
            }
            if let index = session.models.firstIndex(where: { $0.name == model.name }) {
                session.models[index].lastMetrics = r.mean.named
                session.models[index].lastMetricsOn = "\(part.rawValue)@\(k)"
            }
            rows.append([.string(model.name), .int(r.users), .double(r.precision), .double(r.recall), .double(r.ndcg),
                         .double(r.mrr), .double(r.mrrFull), .double(r.hitRate), .double(r.map), .double(r.seconds),
                         .double(r.usersPerSecond)])
            objects.append(.object([
                ("model", .string(model.name)), ("on", .string(part.rawValue)), ("k", .int(k)), ("users", .int(r.users)),
                ("precision", .double(r.precision)), ("recall", .double(r.recall)), ("ndcg", .double(r.ndcg)),
                ("mrr", .double(r.mrr)), ("mrr_full", .double(r.mrrFull)), ("hit_rate", .double(r.hitRate)),
                ("map", .double(r.map)), ("seconds", .double(r.seconds)), ("users_per_second", .double(r.usersPerSecond)),
                ("cold_users", .int(cold)),
                ("method", .object(methods.map { ($0.method.rawValue, .int($0.users)) })),
            ]))
        }
        if cold > 0 {
            notes.insert("\(cold) of the \(evaluator.set.users.count) users evaluated have no train edges (cold users); "
                + "each model scores them by its declared method, shown per model below", at: 0)
        }
        let table = Table(
            name: "results", title: "ranking metrics on \(part.rawValue), K = \(k)",
            columns: metricColumns(k, full: true)
                + [.init("seconds", .number(decimals: 4)), .init("users/s", .number(decimals: 0))],
            rows: rows)
        return CommandResult(command: "eval", blocks: [.table(table)], payload: [("results", .array(objects))], notes: notes)
    }

    /// Model, users and the metrics at K in the contract's order; `full` adds
    /// mrr_full (the rank of the first target in the whole ranking).
    static func metricColumns(_ k: Int, full: Bool) -> [Table.Column] {
        [.init("model"), .init("users", .integer), .init("P@\(k)", .number(decimals: 4)),
         .init("R@\(k)", .number(decimals: 4)), .init("NDCG@\(k)", .number(decimals: 4)),
         .init("MRR@\(k)", .number(decimals: 4))]
            + (full ? [.init("mrr_full", .number(decimals: 4))] : [])
            + [.init("HR@\(k)", .number(decimals: 4)), .init("MAP@\(k)", .number(decimals: 4))]
    }

    /// `eval protocol=seed`: per model, the honest metrics and each step
    /// towards the seed study's protocol (`SeedProtocol`), one row each.
    static func evalSeedProtocol(_ models: [TrainedModel], split: Split, graph: InteractionGraph, part: Split.Part, k: Int,
                                 context: Context) throws -> CommandResult {
        let heldUsers = Set(split.edges(part).map { Int($0.user) })
        var rows: [[Value]] = []
        var objects: [Value] = []
        for (i, model) in models.enumerated() {
            context.run.report(ProgressUpdate(label: "eval", done: i, total: models.count, detail: model.name))
            let recommender = model.recommender
            let forward: ((InteractionGraph) -> any Scorer)? = recommender.isInductive ? { recommender.scorer($0) }
                : (recommender as? any FoldingInRecommender).map { f in { f.scorer($0, refitting: heldUsers) } }
            let outcomes: [SeedProtocol.Outcome]
            do {
                outcomes = try SeedProtocol.ladder(trained: model.scorer, forward: forward, split: split, graph: graph,
                                                   on: part, k: k)
            } catch let error as RecError {
                throw ShellError.message("eval: model '\(model.name)' (\(model.kind)): \(error.message)")
            }
            for o in outcomes {
                let r = o.result
                rows.append([.string(model.name), .string(o.step.change), .int(r.users), .double(r.precision),
                             .double(r.recall), .double(r.ndcg), .double(o.mrr), .int(o.mrrUsers), .double(r.hitRate)])
                objects.append(.object([
                    ("model", .string(model.name)), ("on", .string(part.rawValue)), ("k", .int(k)), ("users", .int(r.users)),
                    ("precision", .double(r.precision)), ("recall", .double(r.recall)), ("ndcg", .double(r.ndcg)),
                    ("mrr", .double(o.mrr)), ("mrr_full", .null), ("hit_rate", .double(r.hitRate)), ("map", .double(r.map)),
                    ("seconds", .double(r.seconds)), ("users_per_second", .double(r.usersPerSecond)),
                    ("protocol", .string(o.step == .mrrHitsOnly ? "seed" : o.step == .honest ? "honest" : "step")),
                    ("step", .string(o.step.rawValue)), ("mrr_users", .int(o.mrrUsers)),
                ]))
            }
        }
        let table = Table(
            name: "results", title: "from the honest protocol to the seed study's, one change per row, on \(part.rawValue), K = \(k)",
            columns: [.init("model"), .init("protocol (each row adds one change)", wraps: true), .init("users", .integer),
                      .init("P@\(k)", .number(decimals: 4)), .init("R@\(k)", .number(decimals: 4)),
                      .init("NDCG@\(k)", .number(decimals: 4)), .init("MRR@\(k)", .number(decimals: 4)),
                      .init("MRR users", .integer), .init("HR@\(k)", .number(decimals: 4))],
            rows: rows)
        var notes = ["the leak: each evaluated user's \(part.rawValue) edges join the graph the forward pass runs on, "
            + "so the model aggregates the very movies it is asked to find"]
        if models.contains(where: { !$0.recommender.isInductive && !($0.recommender is any FoldingInRecommender) }) {
            notes.append("a model with fixed user vectors (mf) cannot see the leak: its leak row equals its honest row")
        }
        return CommandResult(command: "eval", blocks: [.table(table)], payload: [("results", .array(objects))], notes: notes)
    }
}
