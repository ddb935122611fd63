import Foundation
import Tensors

/// The GAT of `GAT` written the plain way, node by node in Double, to read
/// and to check the fast path against (the tests compare the two, attention
/// included, on small graphs). Per layer k and head h, for every node v and
/// every u in N(v) ∪ {v}:
///
///     Z        = H(k) W_k                              heads side by side in the columns
///     e_vu     = LeakyReLU_0.2(a_src[h] . Z_h[u] + a_dst[h] . Z_h[v])
///     α_vu     = exp(e_vu) / Σ_{u' ∈ N(v) ∪ {v}} exp(e_vu')
///     out_h[v] = Σ_u α_vu Z_h[u]
///     H(k+1)   = ReLU(concat_h out_h + b_k)           between layers
///     H(L)     = mean_h out_h + b_L                   the last layer
///
/// H(0) is the features through a per-type linear map (x P_user + p_user for
/// users, x P_movie + p_movie for movies) when the model has one, then the ID
/// embeddings beside them. `GAT.forward` computes the same with split
/// attention logits (`Tape.headDots`), one fused gather-softmax op
/// (`Tape.edgeAttention`) and SIMD kernels; this one is quadratic in places:
/// small graphs only.
public enum ReferenceGAT {
    /// H(L), and every layer's and head's attention as [layer][head][v * nodes + u] = α_vu.
    public static func embed(_ model: GAT, _ graph: InteractionGraph)
        -> (embeddings: Matrix, attention: [[[Int: Double]]]) {
        let n = graph.nodeCount, heads = model.heads
        var features = model.input.features(of: graph)
        if let p = model.weights.input, let x = features {
            var projected = Matrix(rows: n, cols: p.users.cols)
            for v in 0..<n {
                let isUser = v < graph.userCount
                let w = isUser ? p.users : p.movies, b = isUser ? p.usersBias : p.moviesBias
                let offset = isUser ? 0 : p.users.rows
                for j in 0..<w.cols {
                    var s = Double(b[0, j])
                    for i in 0..<w.rows { s += Double(x[v, offset + i]) * Double(w[i, j]) }
                    projected[v, j] = Float(s)
                }
            }
            features = projected
        }
        var h = ReferenceInput.initial(features: features, ids: model.weights.ids, nodes: n)
        let adjacency = graph.adjacency()
        var attention: [[[Int: Double]]] = []
        for (k, layer) in model.weights.layers.enumerated() {
            let z = BLAS.matmul(h, layer.weight)
            let c = z.cols / heads, last = k + 1 == model.layers
            var out = Matrix(rows: n, cols: last ? c : heads * c)
            var layerAttention: [[Int: Double]] = []
            for head in 0..<heads {
                func half(_ a: Matrix, _ u: Int) -> Double {
                    (0..<c).reduce(0.0) { $0 + Double(z[u, head * c + $1]) * Double(a[head, $1]) }
                }
                var weights: [Int: Double] = [:]
                for v in 0..<n {
                    let sources = adjacency.columns(ofRow: v).map { Int($0) } + [v]
                    let e = sources.map { u -> Double in
                        let s = half(layer.attSource, u) + half(layer.attDestination, v)
                        return s > 0 ? s : 0.2 * s
                    }
                    let top = e.max() ?? 0, total = e.reduce(0.0) { $0 + exp($1 - top) }
                    for (u, eu) in zip(sources, e) {
                        let alpha = exp(eu - top) / total
                        weights[v * n + u] = alpha
                        for j in 0..<c {
                            out[v, last ? j : head * c + j] += Float(alpha * Double(z[u, head * c + j]) / (last ? Double(heads) : 1))
                        }
                    }
                }
                layerAttention.append(weights)
            }
            out.addRowBroadcast(layer.bias)
            h = last ? out : out.relu()
            attention.append(layerAttention)
        }
        return (h, attention)
    }
}
