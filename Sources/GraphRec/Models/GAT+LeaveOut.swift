import Foundation
import Tensors

/// Leave-out deltas of a 1- or 2-layer GAT without a forward pass per group.
///
/// Removing the likes S of u changes the attention neighbourhoods of u and of
/// each j in S only. A movie m that u does not like attends over its own
/// users and itself, whose states never read an edge (u, j), so z_m is
/// unchanged. u's output without S is rebuilt per layer from the full graph's
/// states of u's other likes l (unchanged: l's neighbourhood is intact) and
/// u's own state without S:
///
///     g_l = h_l W_k,  g_u(-S) = h_u(-S) W_k            (per head)
///     e_ul = LeakyReLU(g_l . a_src + g_u(-S) . a_dst),  e_uu likewise with g_u(-S)
///     a_u. = softmax over (L \ S) ∪ {u}
///     h_u(-S) at layer k = act(sum_l a_ul g_l + a_uu g_u(-S) + b_k)
///
/// In layer 1 h_u(0) is u's input, the same for every group; in layer 2 the
/// destination term moves with the group, so the groups x n logits are formed
/// whole (the softmax of row g leaves out g's columns). One groups x n GEMM
/// per head and layer, then (z_u - z_u(-S)) . z_m for all movies in one GEMM;
/// the item and feature biases cancel.
extension GAT: LeaveOutShortcut {
    public func leaveOut(user u: Int, likes: [Int], groups: [[Int]], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard layers <= 2, u < graph.userCount, LeaveOut.graphShortcutApplies(likes: likes, groups: groups, movies: movies) else { return nil }
        let tape = Tape()
        let run = propagate(tape, makeContext(graph), weights: weights.bind { tape.constant($1) })
        let input = tape.value(run.first.h), w1 = tape.value(run.first.w)
        let likeRows = likes.map { graph.userCount + $0 }
        // Layer 1: the likes' and u's projected inputs; u's own row is the same for every group.
        let own = BLAS.matmul(input.gatherRows([u]), w1)
        let kept = LeaveOut.membership(groups, count: likes.count).map { 1 - $0 }
        var without = attendWithout(layer: 1, sources: BLAS.matmul(input.gatherRows(likeRows), w1), kept: kept,
                                    own: Matrix(rows: groups.count, cols: own.cols, storage: groups.flatMap { _ in own.storage }))
        if layers == 2 {
            let w2 = weights.layers[1].weight
            let hidden = tape.value(run.states[0]).gatherRows(likeRows)
            without = attendWithout(layer: 2, sources: BLAS.matmul(hidden, w2), kept: kept, own: BLAS.matmul(without, w2))
        }
        let output = tape.value(run.output)
        return LeaveOut.answer(output: output, user: u, movies: movies, graph: graph, itemBias: weights.itemBias,
                               featureBias: weights.featureBias, without: without)
    }

    /// Row g: u's output of layer `k` when group g's likes are left out.
    /// `sources` (n x heads*C) are the likes' projected states g_l, `kept`
    /// (groups x n) is 1 where like l stays in row g, `own` row g is u's
    /// projected state g_u(-S) (the self-loop's source and the destination).
    func attendWithout(layer k: Int, sources: Matrix, kept: Matrix, own: Matrix) -> Matrix {
        let n = sources.rows, rows = kept.rows, width = sources.cols, channels = width / heads
        let weights = self.weights.layers[k - 1]
        let aSource = weights.attSource, aDestination = weights.attDestination
        var out = Matrix(rows: rows, cols: width)
        func dot(_ x: Matrix, _ r: Int, _ a: Matrix, _ head: Int) -> Float {
            var s: Float = 0
            for c in 0..<channels { s += x[r, head * channels + c] * a[head, c] }
            return s
        }
        func leaky(_ e: Float) -> Float { e < 0 ? e * GAT.negativeSlope : e }
        for head in 0..<heads {
            let src = (0..<n).map { dot(sources, $0, aSource, head) }
            // Row g: attention over the kept likes (the others' columns stay 0); the self-loop weight apart.
            var attention = Matrix(rows: rows, cols: n)
            var selfWeight = [Float](repeating: 0, count: rows)
            for j in 0..<rows {
                let destination = dot(own, j, aDestination, head)
                let selfLogit = leaky(dot(own, j, aSource, head) + destination)
                var top = selfLogit
                for l in 0..<n where kept[j, l] != 0 { top = max(top, leaky(src[l] + destination)) }
                var total: Float = exp(selfLogit - top)
                selfWeight[j] = total
                for l in 0..<n where kept[j, l] != 0 {
                    let e = exp(leaky(src[l] + destination) - top)
                    attention[j, l] = e
                    total += e
                }
                for l in 0..<n { attention[j, l] /= total }
                selfWeight[j] /= total
            }
            let block = head * channels..<(head + 1) * channels
            let aggregated = BLAS.matmul(attention, sources.columns(block))
            for j in 0..<rows {
                for c in 0..<channels {
                    out[j, head * channels + c] = aggregated[j, c] + selfWeight[j] * own[j, head * channels + c]
                }
            }
        }
        if k == layers {
            // The last layer averages the heads, then adds its bias.
            var mean = Matrix(rows: rows, cols: channels)
            for j in 0..<rows {
                for c in 0..<channels {
                    var s: Float = 0
                    for head in 0..<heads { s += out[j, head * channels + c] }
                    mean[j, c] = s / Float(heads) + weights.bias[0, c]
                }
            }
            return mean
        }
        for j in 0..<rows {
            for c in 0..<width {
                let z = out[j, c] + weights.bias[0, c]
                out[j, c] = hiddenActivation == .relu ? max(0, z) : (z > 0 ? z : exp(z) - 1)
            }
        }
        return out
    }
}
