/// Memory and work of fitting a model, estimated from its kind, options and
/// the graph's counts before anything is allocated, so a setting that cannot
/// run here (heads=64 hidden=4096: 50 GB of weights and Adam state) is
/// refused with the estimate instead of ending the process.
///
/// The figures are deliberately simple upper-side estimates: weights times
/// six (gradients, Adam's two moments, the best epoch's copy, the moving
/// average), each layer's activations and their gradients, the batch's
/// pair arrays. The uninterruptible unit is one training batch (one
/// full-graph forward and backward pass), or the whole fit for the
/// closed-form baselines.
public enum TrainingCost {
    /// What the estimate needs to know about the data.
    public struct Counts: Sendable, Equatable {
        public var users: Int
        public var movies: Int
        /// Train edges (user-movie pairs); the adjacency holds each twice.
        public var edges: Int
        /// Width of the user plus the movie feature rows (0 without features).
        public var featureWidth: Int

        var nodes: Double { Double(users + movies) }
    }

    /// Refuses `train kind` with these options when its estimate exceeds
    /// `budget`, suggesting smaller sizes that fit. Options that do not parse
    /// pass here: the fit itself reports them.
    public static func check(kind: String, options: OptionValues, graph: InteractionGraph,
                             budget: ResourceBudget) throws {
        let counts = Counts(graph)
        if ["gcn", "gat", "lightgcn", "mf"].contains(kind) {
            guard let expanded = try? TrainPreset.expand(options, kind: kind),
                  let parsed = try? TrainOptions(expanded) else { return }
            let used = sizes(parsed).filter { uses(kind, $0.key) }
            // Only what the user raised above its default is offered smaller.
            let defaults = sizes(TrainOptions())
            let floors = used.reduce(into: [String: Int]()) { $0[$1.key] = min($1.value, defaults[$1.key] ?? 1) }
            try budget.check("estimated cost", options: used, shrinkable: floors) { s in
                var o = parsed
                o.hidden = s["hidden"] ?? o.hidden
                o.dim = s["dim"] ?? o.dim
                o.heads = s["heads"] ?? o.heads
                o.layers = s["layers"] ?? o.layers
                o.negatives = s["negatives"] ?? o.negatives
                o.batchSize = s["batch"] ?? o.batchSize
                return neural(kind, o, counts)
            }
        } else if kind == "ncf" {
            guard let typed = try? ModelRegistry.options(kind, text: options.values),
                  let parsed = try? NCFOptions(typed) else { return }
            try NCF.checkCost(parsed, graph: graph, budget: budget)
        } else if kind == "ease" {
            try EASE.checkSize(graph, budget: budget)
        } else if ["pop", "itemknn", "svd", "als"].contains(kind), let declared = try? ModelRegistry.kind(kind) {
            let typed = try? declared.parse(options)
            let factors = typed.flatMap { try? $0.int("factors") } ?? 0
            let neighbors = typed.flatMap { try? $0.int("neighbors") } ?? 0
            try budget.check("estimated cost", options: ["factors": factors, "neighbors": neighbors]) {
                baseline(kind, factors: $0["factors"] ?? 0, neighbors: $0["neighbors"] ?? 0, counts)
            }
        }
    }

    /// The options that size a model or a batch.
    static func sizes(_ o: TrainOptions) -> [String: Int] {
        ["hidden": o.hidden, "dim": o.dim, "heads": o.heads, "layers": o.layers, "negatives": o.negatives, "batch": o.batchSize]
    }

    /// Whether `kind` reads the size option `key`.
    static func uses(_ kind: String, _ key: String) -> Bool {
        switch key {
        case "dim", "negatives", "batch": true
        case "layers": kind != "mf"
        case "hidden": kind == "gcn" || kind == "gat"
        case "heads": kind == "gat"
        default: false
        }
    }

    /// The estimate for a gradient-trained kind (gcn, gat, lightgcn, mf).
    public static func neural(_ kind: String, _ o: TrainOptions, _ c: Counts) -> ResourceEstimate {
        let n = c.nodes, e = Double(c.edges), f = 4.0    // bytes per Float
        let batch = Double(min(o.batchSize, max(c.edges, 1))), pairs = batch * Double(o.negatives)
        let dim = Double(o.dim)
        // Pair arrays (three Int32 per pair), their scores and gradients; dot products fwd + bwd.
        var cost = ResourceEstimate(bytes: pairs * 4 * 3 + (pairs + batch) * f * 4,
                                    streamFLOPs: (pairs + batch) * dim * 2 * 3)
        var parameters = o.ids || kind == "mf" || kind == "lightgcn" ? n * dim : 0
        var activations = 0.0
        switch kind {
        case "mf":
            activations = n * dim * 2
        case "lightgcn":
            activations = n * dim * 2 * Double(o.layers + 2)
            cost.streamFLOPs += 2 * e * dim * 2 * Double(o.layers) * 3
            cost.bytes += 2 * e * 8 * 2
        case "gcn":
            var width = Double((o.features ? c.featureWidth : 0) + (o.ids ? o.dim : 0))
            for k in 1...max(o.layers, 1) {
                let out = Double(k == o.layers ? o.dim : o.hidden)
                parameters += 2 * width * out + out
                activations += n * (width + 3 * out) * 2
                cost.denseFLOPs += 2 * n * 2 * width * out * 3
                cost.streamFLOPs += 2 * e * min(width, out) * 2 * 3
                width = out
            }
            cost.bytes += 2 * e * 8 * 2
        case "gat":
            let heads = Double(o.heads), messages = 2 * e + n     // both directions plus self-loops
            var width = Double(o.ids ? o.dim : 0)
            if o.features && c.featureWidth > 0 {
                parameters += Double(c.featureWidth + 2) * Double(o.hidden)
                width += Double(o.hidden)
            } else if o.features {
                width += Double(c.featureWidth)
            }
            for k in 1...max(o.layers, 1) {
                let channels = Double(k == o.layers ? o.dim : o.hidden), out = heads * channels
                parameters += width * out + 2 * out + out
                activations += n * (width + 4 * out) * 2 + messages * heads * 4 * 2
                cost.denseFLOPs += 2 * n * width * out * 3
                cost.streamFLOPs += messages * out * 2 * 3
                width = k == o.layers ? channels : out
            }
            cost.bytes += messages * 8 * 2
        default:
            break
        }
        cost.bytes += parameters * f * 6 + activations * f
        return cost
    }

    /// The estimate for a closed-form baseline: the whole fit is one step.
    public static func baseline(_ kind: String, factors: Int, neighbors: Int = 0, _ c: Counts) -> ResourceEstimate {
        let users = Double(c.users), items = Double(c.movies), e = Double(c.edges), k = Double(factors)
        switch kind {
        case "ease":
            return EASE.estimate(movies: c.movies, edges: c.edges)
        case "itemknn":     // each movie's kept neighbours (slots, the CSR and its transpose), one scratch row a thread;
                            // Ctrl-C is polled between movies, so the step is one movie's row
            let kept = Double(ItemKNN.width(neighbors: neighbors, movies: c.movies))
            return ResourceEstimate(bytes: items * kept * 8 * 3 + items * 4 * 2 + e * 8, streamFLOPs: items * 4)
        case "svd":         // the smaller Gram matrix and its eigenvectors
            let side = min(users, items)
            return ResourceEstimate(bytes: side * side * 4 * 4 + max(users, items) * side * 4,
                                    denseFLOPs: 10 * side * side * side, streamFLOPs: e * side * 2)
        case "als":         // one sweep: per-row k x k solves and the factor tables
            return ResourceEstimate(bytes: (users + items) * k * 4 * 4 + k * k * 4 * 4,
                                    denseFLOPs: (users + items) * k * k * k + e * k * k * 2)
        default:
            return ResourceEstimate(bytes: (users + items) * 8)
        }
    }
}

extension TrainingCost.Counts {
    /// The counts of `graph`, features included.
    public init(_ graph: InteractionGraph) {
        self.init(users: graph.userCount, movies: graph.movieCount, edges: graph.edgeCount,
                  featureWidth: (graph.userFeatures?.cols ?? 0) + (graph.movieFeatures?.cols ?? 0))
    }
}
