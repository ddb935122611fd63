import GraphRec

/// `eval lsh=PLANES`: the ranking metrics over LSH candidate lists.
extension EvaluationCommands {
    /// `eval lsh=N`: the same metrics over LSH candidate lists (no mrr_full:
    /// LSH ranks only its candidates), with recall of the exact top K and speed.
    static func evalLSH(_ models: [TrainedModel], planes: Int, set: EvaluationSet, part: Split.Part, k: Int,
                        seed: UInt64) throws -> CommandResult {
        let configuration = try LSHSupport.configuration(planes: planes, defaultSeed: seed)
        var rows: [[Value]] = []
        var objects: [Value] = []
        for model in models {
            let r = LSHEvaluation.report(embeddings: try model.requireEmbeddings("eval lsh="), set: set,
                                         configuration: configuration, k: k, runs: 1)
            let m = r.metrics
            rows.append([.string(model.name), .int(r.users), .double(m.precision), .double(m.recall), .double(m.ndcg),
                         .double(m.mrr), .double(m.hitRate), .double(m.map), .double(r.candidatesPerUser),
                         .double(r.recallVsExact), .double(r.usersPerSecond)])
            objects.append(.object([
                ("model", .string(model.name)), ("on", .string(part.rawValue)), ("k", .int(k)), ("users", .int(r.users)),
                ("precision", .double(m.precision)), ("recall", .double(m.recall)), ("ndcg", .double(m.ndcg)),
                ("mrr", .double(m.mrr)), ("mrr_full", .null), ("hit_rate", .double(m.hitRate)), ("map", .double(m.map)),
                ("seconds", .double(r.seconds)), ("users_per_second", .double(r.usersPerSecond)),
                ("lsh_planes", .int(planes)), ("candidates_per_user", .double(r.candidatesPerUser)),
                ("recall_vs_exact", .double(r.recallVsExact)),
            ]))
        }
        let table = Table(
            name: "results", title: "ranking metrics on \(part.rawValue) with LSH (\(configuration.summary)), K = \(k)",
            columns: metricColumns(k, full: false)
                + [.init("cand/user", .number(decimals: 1)), .init("recall vs exact", .number(decimals: 3)),
                   .init("users/s", .number(decimals: 0))],
            rows: rows)
        return CommandResult(command: "eval", blocks: [.table(table)], payload: [("results", .array(objects))])
    }
}
