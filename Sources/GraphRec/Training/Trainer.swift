import Foundation
import Tensors

/// Fits a `TrainableModel` with a pairwise loss over sampled negatives.
///
/// Each epoch reshuffles the train edges (the graph's edges) and walks them
/// in mini-batches of `batchSize`. For every positive (u, i) it draws
/// `negatives` movies j uniformly among those u has not liked in train; one
/// full-graph forward pass per batch gives all embeddings, pairs are scored
/// by dot products and the mean loss is back-propagated; Adam updates the
/// weights (plus, with `reg=`, the gradient of `EmbeddingRegularizer` on the
/// batch's ID rows). Weight init and sampling draw from `SeededGenerator` streams of
/// `options.seed`, so a seed fixes the result.
///
/// With `holdout=on` or `edge-dropout=`, each batch's forward pass runs on
/// the graph without the edges `MessageEdges` hides (its context is rebuilt
/// per batch); with `dropout=`, the tape is a training tape and the model's
/// dropout layers draw their masks from the seeded "train.dropout" stream.
///
/// With `cold-share=P`, each of a batch's users is, with probability P,
/// shown as a new user: their own aggregation sees none of their edges and
/// their ID row is zeroed (the model's `batchContext`), while their
/// positives are still scored and their movies keep them as neighbours, so
/// the model learns to rank for users it never saw, from features alone.
///
/// With `ema=DECAY` the model validated, kept and returned is the moving
/// average of the weights (`WeightAverage`), not the last step's weights.
///
/// After each epoch the optional `validation` closure scores the current
/// embeddings (NDCG@10 on the validation split, by the caller's evaluator).
/// With validation, the model keeps the weights of its best epoch; `patience`
/// stops after that many epochs without improvement; `RunControl.shouldStop`
/// (Ctrl-C) ends training between batches and keeps the best weights so far
/// (`history.interrupted`). Only completed epochs enter the history.
public struct Trainer {
    public var options: TrainOptions
    public var control: RunControl
    public var validation: ((Embeddings) -> Double)?

    public init(options: TrainOptions, control: RunControl = .silent, validation: ((Embeddings) -> Double)? = nil) {
        self.options = options
        self.control = control
        self.validation = validation
    }

    /// Trains `model` on the edges of `graph` and returns what happened.
    /// `sampler=auto` is resolved first (`NeighborSampling.resolve`), for the
    /// models that propagate over the graph.
    public func train<M: TrainableModel>(_ model: inout M, on graph: InteractionGraph) throws -> TrainingHistory {
        if options.sampler == .auto && model.propagatesOverGraph {
            var resolved = self
            resolved.options = NeighborSampling.resolve(options, graph: graph).options
            return try resolved.train(&model, on: graph)
        }
        guard graph.edgeCount > 0 else { throw RecError("the training graph has no edges (load data and split first)") }
        if options.reg > 0 && model.parameters[EmbeddingRegularizer.userTable] == nil {
            throw RecError("reg: this model has no ID embeddings to regularise (use ids=on, or weight-decay=)")
        }
        let sampler = try NegativeSampler(graph)
        MemoryTuning.keepFreedMatricesMapped()
        let context = model.makeContext(graph)
        let positives = graph.edges
        let batchSize = min(options.batchSize, positives.count)
        var shuffleRNG = SeededGenerator(seed: options.seed, stream: "train.shuffle")
        var negativeRNG = SeededGenerator(seed: options.seed, stream: "train.negatives")
        var dropoutRNG = SeededGenerator(seed: options.seed, stream: "train.dropout")
        var edgeRNG = SeededGenerator(seed: options.seed, stream: "train.edges")
        let hiding = MessageEdges(holdout: options.holdout, dropRate: options.edgeDropout)
        let neighbors = try neighborSampler(for: model, graph: graph)
        var workspace = NeighborSampler.Workspace(nodeCount: neighbors == nil ? 0 : graph.nodeCount)
        var neighborRNG = SeededGenerator(seed: options.seed, stream: "train.neighbors")
        var coldRNG = SeededGenerator(seed: options.seed, stream: "train.cold")
        let edgesOfUser = options.coldShare > 0 ? Self.edgeOffsets(positives: graph.edges, users: graph.userCount) : []
        var adam = Adam(learningRate: options.learningRate, weightDecay: options.weightDecay)
        var average: WeightAverage?
        let loop = EpochLoop(epochs: options.epochs, batchSize: batchSize, patience: options.patience, control: control)
        let (history, best) = loop.run(positives: positives.count, shuffle: &shuffleRNG, validates: validation != nil) { slice in
            let batch = PairBatch(slice.map { positives[$0] }, negatives: options.negatives,
                                  sampler: sampler, rng: &negativeRNG)
            let tape = Tape(training: dropoutRNG)
            let (loss, stepGradients): (Double, [String: Matrix])
            if let neighbors {
                let (sample, local) = batch.sampled(by: neighbors, userCount: graph.userCount,
                                                    workspace: &workspace, using: &neighborRNG)
                (loss, stepGradients) = sampledStep(model, context, sample, local, on: tape)
            } else {
                var batchContext = context
                if options.coldShare > 0 {
                    var newUsers = Set<Int32>()
                    for u in Set(batch.users).sorted() where coldRNG.nextFloat() < options.coldShare { newUsers.insert(u) }
                    let userEdges = newUsers.sorted().flatMap { edgesOfUser[Int($0)] }
                    let others = hiding.hidesEdges ? hiding.hidden(batch: slice, edgeCount: positives.count, using: &edgeRNG) : []
                    let messages = others.isEmpty ? graph : graph.removing(edgesAt: others)
                    batchContext = model.batchContext(messages, coldFrom: graph.removing(edgesAt: userEdges))
                } else if hiding.hidesEdges {
                    let hidden = hiding.hidden(batch: slice, edgeCount: positives.count, using: &edgeRNG)
                    batchContext = model.batchContext(graph.removing(edgesAt: hidden), coldFrom: graph)
                }
                (loss, stepGradients) = step(model, batchContext, batch, on: tape)
            }
            dropoutRNG = tape.trainingGenerator!
            var gradients = stepGradients
            if options.reg > 0 {    // history.loss stays the ranking loss; R only adds its gradient
                _ = EmbeddingRegularizer.apply(model.parameters, lambda: options.reg, batch: batch, to: &gradients)
            }
            adam.step(&model.parameters, gradients: gradients)
            if options.ema > 0 {
                if average == nil { average = WeightAverage(decay: options.ema, parameters: model.parameters) }
                else { average!.update(with: model.parameters) }
            }
            return loss
        } validate: {
            var candidate = model            // the weights this epoch offers: the average when there is one
            if let average { candidate.parameters = average.parameters }
            return (validation?(candidate.embed(context: context)) ?? 0, candidate.parameters)
        }
        if let best {
            model.parameters = best
        } else if let average {
            model.parameters = average.parameters
        }
        return history
    }

    /// Offsets into `positives` of each user's edges.
    static func edgeOffsets(positives: [Edge], users: Int) -> [[Int]] {
        var out = [[Int]](repeating: [], count: users)
        for (k, e) in positives.enumerated() where Int(e.user) < users { out[Int(e.user)].append(k) }
        return out
    }

    /// One forward/backward pass: the batch's mean loss and every parameter's gradient.
    /// The tape dies here, before Adam writes the weights, so no copy is forced.
    /// `tape` is a training tape when the model's dropout should act.
    func step<M: TrainableModel>(_ model: M, _ context: M.Context, _ batch: PairBatch,
                                 on tape: Tape = Tape()) -> (Double, [String: Matrix]) {
        let (weights, variables) = Trainer.bind(model, on: tape)
        let loss = Trainer.batchLoss(tape, model, context, weights: weights, batch: batch, options: options)
        tape.backward(loss)
        return (Double(tape.value(loss).storage[0]), variables.compactMapValues { tape.gradient($0) })
    }

    /// `step` over a neighbour sample: `batch` holds the seeds' local indices.
    func sampledStep<M: TrainableModel>(_ model: M, _ context: M.Context, _ sample: NeighborSample, _ batch: PairBatch,
                                        on tape: Tape = Tape()) -> (Double, [String: Matrix]) {
        let (weights, variables) = Trainer.bind(model, on: tape)
        guard let z = model.sampledForward(tape, context, sample: sample, weights: weights) else {
            preconditionFailure("\(model.kind) has no sampled forward pass")   // neighborSampler(for:) checked
        }
        let loss = Trainer.pairLoss(tape, users: z, items: z, batch: batch, options: options)
        tape.backward(loss)
        return (Double(tape.value(loss).storage[0]), variables.compactMapValues { tape.gradient($0) })
    }

    /// The neighbour sampler when this run samples neighbourhoods (`sampler=`
    /// as `NeighborSampling.resolve` decides for `graph`); nil for full-graph batches.
    func neighborSampler<M: TrainableModel>(for model: M, graph: InteractionGraph) throws -> NeighborSampler? {
        guard model.samplesNeighbors else {
            if options.sampler == .neighbors {
                throw RecError("sampler=neighbors: \(model.kind) propagates over the whole graph only (use sampler=full)")
            }
            return nil
        }
        guard options.sampler == .neighbors else { return nil }
        guard options.fanout.count == options.layers else {
            throw RecError("fanout: give one number per layer (layers=\(options.layers), "
                + "fanout=\(options.fanout.map(String.init).joined(separator: ",")))")
        }
        if options.itemBias || options.featureBias != .off || options.coldShare > 0 {
            throw RecError("bias=, feature-bias= and cold-share= train on the full graph only (use sampler=full)")
        }
        if options.norm == .sym {
            throw RecError("norm=sym weighs each message by both ends' full degrees, which a sampled neighbourhood "
                + "does not hold (use sampler=full, or norm=mean)")
        }
        if options.edgeDropout > 0 {
            throw RecError("edge-dropout: not used with sampler=neighbors, which samples each batch's edges already "
                + "(use sampler=full, or drop edge-dropout)")
        }
        return NeighborSampler(graph: graph, fanouts: options.fanout)
    }

    /// The model's weights as tape parameters, and the same variables by name (for the gradients);
    /// its `frozen` weights as constants, which get no gradient and so no update.
    static func bind<M: TrainableModel>(_ model: M, on tape: Tape) -> (M.Weights.Bound, [String: Variable]) {
        var variables: [String: Variable] = [:]
        let bound = model.weights.bind { name, m in
            if model.frozen.contains(name) { return tape.constant(m) }
            let v = tape.parameter(m)
            variables[name] = v
            return v
        }
        return (bound, variables)
    }

    /// The batch's mean ranking loss on `tape`: a full forward pass with
    /// `weights`, then every (user, positive, negative) pair scored by dot products.
    static func batchLoss<M: TrainableModel>(_ tape: Tape, _ model: M, _ context: M.Context, weights: M.Weights.Bound,
                                             batch: PairBatch, options: TrainOptions) -> Variable {
        let z = model.forward(tape, context, weights: weights)
        return pairLoss(tape, users: z.users, items: z.items, batch: batch, options: options)
    }

    /// The mean ranking loss of `batch`'s pairs, scored by dot products of rows of `users` and `items`.
    static func pairLoss(_ tape: Tape, users: Variable, items: Variable, batch: PairBatch, options: TrainOptions) -> Variable {
        let positive = tape.gatheredRowDot(users, batch.users, items, batch.positives)
        let negative = tape.gatheredRowDot(users, batch.pairUsers, items, batch.negatives)
        return options.loss.apply(tape, positive: tape.gatherRows(positive, batch.pairPositive),
                                  negative: negative, margin: options.margin, group: options.negatives)
    }
}

/// The index arrays of one mini-batch: B positives and B x n negatives,
/// pair k = (pairUsers[k], positives[pairPositive[k]], negatives[k]).
struct PairBatch {
    var users: [Int32]
    var positives: [Int32]
    var pairUsers: [Int32]
    var pairPositive: [Int32]
    var negatives: [Int32]

    init(_ edges: [Edge], negatives n: Int, sampler: NegativeSampler, rng: inout SeededGenerator) {
        users = edges.map(\.user)
        positives = edges.map(\.movie)
        pairUsers = [Int32](repeating: 0, count: edges.count * n)
        pairPositive = [Int32](repeating: 0, count: edges.count * n)
        negatives = [Int32](repeating: 0, count: edges.count * n)
        for (k, e) in edges.enumerated() {
            for j in 0..<n {
                pairUsers[k * n + j] = e.user
                pairPositive[k * n + j] = Int32(k)
            }
            sampler.sample(user: Int(e.user), count: n, into: &negatives, at: k * n, using: &rng)
        }
    }
}

extension PairBatch {
    /// This batch over a neighbour sample of its users, positives and
    /// negatives (the seeds), with its positive edges excluded from the
    /// sample: the sample, and the batch with every index replaced by its
    /// seed's local index (rows of the sampled forward pass).
    func sampled(by sampler: NeighborSampler, userCount: Int, workspace: inout NeighborSampler.Workspace,
                 using rng: inout SeededGenerator) -> (NeighborSample, PairBatch) {
        let offset = Int32(userCount), b = users.count
        var seeds = users
        seeds.reserveCapacity(2 * b + negatives.count)
        for m in positives { seeds.append(offset + m) }
        for m in negatives { seeds.append(offset + m) }
        var excluded = [(Int32, Int32)](repeating: (0, 0), count: b)
        for k in 0..<b { excluded[k] = (users[k], offset + positives[k]) }
        let (sample, index) = sampler.sample(seeds: seeds, excluding: excluded, workspace: &workspace, using: &rng)
        var local = self
        local.users = Array(index[0..<b])
        local.positives = Array(index[b..<(2 * b)])
        local.negatives = Array(index[(2 * b)...])
        local.pairUsers = pairPositive.map { index[Int($0)] }    // pair k's user is users[pairPositive[k]]
        return (sample, local)
    }
}
