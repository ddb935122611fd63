import Tensors

/// Neighbour-sampled mini-batches for the graph models (`sampler=neighbors
/// fanout=15,10`), as PyTorch Geometric's `LinkNeighborLoader` and PinSage
/// build them, so that a step costs what its batch touches, not the graph.
///
/// A batch's *seeds* are its users, its positive movies and its negative
/// movies. Hop 1 samples up to `fanout[0]` neighbours of every seed, hop 2
/// up to `fanout[1]` neighbours of every node first reached at hop 1, and
/// so on, each node's neighbours drawn once, uniformly without replacement
/// (all of them when it has no more). Nodes are numbered locally in the
/// order they are reached (seeds first), and one CSR holds every sampled
/// node's sampled neighbours. Layer j of an L-layer model then needs outputs
/// only for nodes within L - j hops of the seeds: its block is a row prefix
/// of that CSR (PyG's `trim_to_layer`), and the last layer's rows are the
/// seeds. With fan-outs at least the largest degree, this is exactly
/// full-graph message passing restricted to what the seeds depend on.
///
/// The batch's positive edges are excluded from the sampling (both
/// directions): the model never reads the edge it is asked to predict,
/// which is what evaluation looks like (see `MessageEdges`).
public enum NeighborSampling {
    /// `sampler=`: how a batch's forward pass sees the graph.
    public enum Choice: String, Sendable, CaseIterable {
        /// The full graph; on a large graph in large batches (`resolve`).
        case auto
        case full
        case neighbors
    }

    /// Train edges above which `auto` trains in large batches. A full-graph
    /// step costs the graph whatever the batch, so the way to make an epoch
    /// cost less is fewer steps, not smaller ones. Neighbour sampling does not
    /// pay here: with 10 negatives per positive a batch of 1024 reaches nearly
    /// every node of a graph of 10,000 nodes (synthetic-1m: 28.7 CPU s per
    /// epoch full, 29.9 sampled, at batch 1024). ML-100K stays below, on the
    /// reference's settings.
    public static let largeGraphEdges = 200_000
    /// `auto`'s steps per epoch on a large graph: the batch is the smallest
    /// power of two giving at most this many (so between half and all of it).
    public static let largeBatchSteps = 64
    /// `auto`'s learning rate with large batches: fewer, larger steps need a
    /// larger one (lr 0.001 at batch 16384 learns a tenth as fast per epoch).
    public static let largeBatchLearningRate: Float = 0.01

    /// The concrete options `options` train with on `graph`, and why. `auto`
    /// becomes `full`; on a graph over `largeGraphEdges` train edges it also
    /// raises the batch to the `largeBatchSteps` batch and the learning rate to
    /// `largeBatchLearningRate`, each only where it was not chosen: an option
    /// named in `given` (`ModelOptions.given`: typed, even `batch=1024`) or
    /// set to something other than its default is kept.
    public static func resolve(_ options: TrainOptions, graph: InteractionGraph,
                               given: Set<String> = []) -> (options: TrainOptions, reason: String) {
        var o = options
        switch options.sampler {
        case .full: return (o, "sampler=full")
        case .neighbors: return (o, "sampler=neighbors")
        case .auto:
            o.sampler = .full
            let edges = graph.edgeCount
            guard edges > largeGraphEdges else { return (o, "auto: \(edges) train edges <= \(largeGraphEdges)") }
            let defaults = TrainOptions()
            if o.batchSize == defaults.batchSize && !given.contains("batch") { o.batchSize = largeBatch(edges: edges) }
            if o.learningRate == defaults.learningRate && !given.contains("lr") { o.learningRate = largeBatchLearningRate }
            return (o, "auto: \(edges) train edges > \(largeGraphEdges), so one full-graph propagation per large batch")
        }
    }

    /// The smallest power of two that covers `edges` in at most `largeBatchSteps` batches.
    static func largeBatch(edges: Int) -> Int {
        var batch = 1
        while batch * largeBatchSteps < edges { batch *= 2 }
        return max(batch, TrainOptions().batchSize)
    }

    /// How a resolved plan reads in a train result.
    public static func describe(_ options: TrainOptions, reason: String) -> String {
        switch options.sampler {
        case .neighbors:
            return "sampler: neighbors, fanout \(options.fanout.map(String.init).joined(separator: ",")) (\(reason)); "
                + "each batch's positives are hidden from its own message passing"
        case .full, .auto:
            return "sampler: full graph, batch \(options.batchSize), lr \(options.learningRate) (\(reason))"
        }
    }
}

/// One batch's sampled computation graph (see `NeighborSampling`).
public struct NeighborSample: Sendable {
    /// Global node id of each local node: the seeds, then the nodes first reached at hop 1, 2, ...
    public let nodes: [Int32]
    /// `reached[d]`: how many local nodes lie within d hops of the seeds (`reached[0]` = seeds).
    public let reached: [Int]
    /// Sampled neighbours (local indices) of the nodes `0..<reached[hops - 1]`, one row each.
    public let neighbors: CSRMatrix

    public var hops: Int { reached.count - 1 }
    public var seedCount: Int { reached[0] }

    /// Layer `layer` (1...hops) of the model: destinations `0..<reached[hops - layer]`,
    /// sources `0..<reached[hops - layer + 1]`, pattern only (values 1).
    public func block(layer: Int) -> CSRMatrix {
        precondition((1...hops).contains(layer), "layer \(layer) of a \(hops)-hop sample")
        let rows = reached[hops - layer], cols = reached[hops - layer + 1]
        let end = neighbors.rowStart[rows]
        return CSRMatrix(rows: rows, cols: cols, rowStart: Array(neighbors.rowStart[0...rows]),
                         colIndex: Array(neighbors.colIndex[0..<end]), values: Array(neighbors.values[0..<end]))
    }

    /// Layer `layer`'s mean-aggregation operator: each row averages its sampled neighbours.
    public func meanBlock(layer: Int) -> SparseOperator { .rowNormalized(block(layer: layer)) }

    /// Layer `layer`'s attention pattern: the sampled neighbours plus a self-loop per destination
    /// (a destination's local index is the same among the sources, which extend it).
    public func attentionBlock(layer: Int) -> SparseOperator {
        let b = block(layer: layer)
        var start = [Int](repeating: 0, count: b.rows + 1)
        var cols = [Int32](repeating: 0, count: b.nonZeroCount + b.rows)
        var k = 0
        for r in 0..<b.rows {
            cols[k] = Int32(r); k += 1
            for p in b.rowStart[r]..<b.rowStart[r + 1] { cols[k] = b.colIndex[p]; k += 1 }
            start[r + 1] = k
        }
        return SparseOperator(CSRMatrix(rows: b.rows, cols: b.cols, rowStart: start, colIndex: cols,
                                        values: [Float](repeating: 1, count: cols.count)))
    }
}

/// Draws `NeighborSample`s from a graph's node-space adjacency.
public struct NeighborSampler: Sendable {
    /// The symmetric node-space adjacency (users, then movies).
    public let adjacency: CSRMatrix
    /// Neighbours per node at hop 1, 2, ... (one per model layer).
    public let fanouts: [Int]

    public init(graph: InteractionGraph, fanouts: [Int]) {
        self.init(adjacency: graph.adjacency(), fanouts: fanouts)
    }

    public init(adjacency: CSRMatrix, fanouts: [Int]) {
        precondition(!fanouts.isEmpty && fanouts.allSatisfy { $0 > 0 }, "fan-outs must be positive")
        self.adjacency = adjacency
        self.fanouts = fanouts
    }

    /// Scratch reused across batches: the local index of every node (-1 when
    /// not in the current sample) and the positions drawn for one node.
    public struct Workspace {
        var local: [Int32]
        var chosen: [Int]

        public init(nodeCount: Int) {
            local = [Int32](repeating: -1, count: nodeCount)
            chosen = []
        }
    }

    /// Samples around `seeds` (global node ids, repeats allowed). Returns the
    /// sample and each seed's local index. `excluded` edges (pairs of global
    /// node ids, each pair joining two seeds) are never sampled, in either direction.
    public func sample(seeds: [Int32], excluding excluded: [(Int32, Int32)], workspace: inout Workspace,
                       using rng: inout SeededGenerator) -> (sample: NeighborSample, seedIndex: [Int32]) {
        precondition(workspace.local.count == adjacency.rows, "workspace is for another graph")
        var nodes: [Int32] = []
        nodes.reserveCapacity(seeds.count * 4)
        var seedIndex = [Int32](repeating: 0, count: seeds.count)
        workspace.local.withUnsafeMutableBufferPointer { local in
            for (i, s) in seeds.enumerated() {
                if local[Int(s)] < 0 { local[Int(s)] = Int32(nodes.count); nodes.append(s) }
                seedIndex[i] = local[Int(s)]
            }
        }
        let seedCount = nodes.count
        // Excluded neighbours per seed, by local index: a small CSR.
        var exStart = [Int](repeating: 0, count: seedCount + 1)
        var exNeighbor = [Int32](repeating: 0, count: excluded.count * 2)
        workspace.local.withUnsafeBufferPointer { local in
            for (a, b) in excluded {
                precondition(local[Int(a)] >= 0 && local[Int(b)] >= 0, "excluded edges must join two seeds")
                exStart[Int(local[Int(a)]) + 1] += 1
                exStart[Int(local[Int(b)]) + 1] += 1
            }
            for i in 0..<seedCount { exStart[i + 1] += exStart[i] }
            var next = exStart
            for (a, b) in excluded {
                let la = Int(local[Int(a)]), lb = Int(local[Int(b)])
                exNeighbor[next[la]] = b; next[la] += 1
                exNeighbor[next[lb]] = a; next[lb] += 1
            }
        }

        var reached = [seedCount]
        var rowStart = [0]
        var columns: [Int32] = []
        columns.reserveCapacity(seedCount * fanouts[0] * 2)
        var frontier = 0..<seedCount
        for fanout in fanouts {
            for i in frontier {
                let v = Int(nodes[i])
                let exclude = i < seedCount ? exNeighbor[exStart[i]..<exStart[i + 1]] : exNeighbor[0..<0]
                drawNeighbors(of: v, fanout: fanout, excluding: exclude, chosen: &workspace.chosen, using: &rng)
                let chosen = workspace.chosen
                workspace.local.withUnsafeMutableBufferPointer { local in
                    adjacency.colIndex.withUnsafeBufferPointer { ci in
                        for p in chosen {
                            let u = Int(ci[p])
                            if local[u] < 0 { local[u] = Int32(nodes.count); nodes.append(Int32(u)) }
                            columns.append(local[u])
                        }
                    }
                }
                rowStart.append(columns.count)
            }
            reached.append(nodes.count)
            frontier = reached[reached.count - 2]..<nodes.count
        }
        workspace.local.withUnsafeMutableBufferPointer { local in
            for u in nodes { local[Int(u)] = -1 }
        }
        let rows = rowStart.count - 1
        let neighbors = CSRMatrix(rows: rows, cols: nodes.count, rowStart: rowStart, colIndex: columns,
                                  values: [Float](repeating: 1, count: columns.count))
        return (NeighborSample(nodes: nodes, reached: reached, neighbors: neighbors), seedIndex)
    }

    /// Positions (into `adjacency.colIndex`) of up to `fanout` neighbours of
    /// node v, uniformly without replacement among those not in `excluded`,
    /// ascending (so taking all keeps the graph's order).
    func drawNeighbors(of v: Int, fanout: Int, excluding excluded: ArraySlice<Int32>, chosen: inout [Int],
                       using rng: inout SeededGenerator) {
        chosen.removeAll(keepingCapacity: true)
        let lo = adjacency.rowStart[v], hi = adjacency.rowStart[v + 1], n = hi - lo
        if n == 0 { return }
        adjacency.colIndex.withUnsafeBufferPointer { ci in
            func isExcluded(_ p: Int) -> Bool { !excluded.isEmpty && excluded.contains(ci[p]) }
            if n <= fanout + excluded.count {
                for p in lo..<hi where !isExcluded(p) { chosen.append(p) }
                if chosen.count <= fanout { return }
                // More left than the fan-out: keep a uniform subset of them (partial Fisher-Yates).
                for k in 0..<fanout {
                    let j = k + rng.nextInt(below: chosen.count - k)
                    chosen.swapAt(k, j)
                }
                chosen.removeLast(chosen.count - fanout)
            } else {
                // At least `fanout` allowed neighbours among many: draw positions until enough distinct ones.
                while chosen.count < fanout {
                    let p = lo + rng.nextInt(below: n)
                    if isExcluded(p) || chosen.contains(p) { continue }
                    chosen.append(p)
                }
            }
        }
        chosen.sort()
    }
}
