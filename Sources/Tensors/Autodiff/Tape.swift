/// A reverse-mode autodiff tape over whole-matrix operations.
///
/// Build a computation by calling ops on the tape (`tape.matmul(x, w)`,
/// `tape.relu(h)`, ...); each returns a `Variable`, a handle to a matrix the
/// tape holds. `backward(_:)` then walks the ops in reverse and leaves a
/// gradient on every variable that depends on a `parameter`. Values of
/// `constant`s get no gradient and ops on constants only record their value,
/// so graph-derived inputs (features, aggregated features) cost nothing in
/// the backward pass.
///
/// One tape serves one forward/backward pass: make a new one per mini-batch.
/// Writing a new op: compute the value, then `record(value, inputs:) { tape, g in ... }`
/// where the closure receives the upstream gradient `g` (same shape as the
/// value) and calls `tape.accumulate(g', into: input)` for each input that
/// `needsGradient`. Give it a finite-difference test (TensorsTests/GradientCheck).
public final class Tape {
    struct Node {
        var value: Matrix
        var grad: Matrix?
        var needsGradient: Bool
        var backward: ((Tape, Matrix) -> Void)?
    }

    var nodes: [Node] = []
    /// Where `dropout` draws its masks; nil on an inference tape. Read it
    /// after a pass so the next pass continues the stream.
    public internal(set) var trainingGenerator: SeededGenerator?

    public init() {}

    /// A training tape: `dropout` is active and draws from `generator`.
    public init(training generator: SeededGenerator) {
        trainingGenerator = generator
    }

    /// A trainable leaf: gradients flow to it.
    public func parameter(_ value: Matrix) -> Variable {
        append(Node(value: value, grad: nil, needsGradient: true, backward: nil))
    }

    /// A fixed input: no gradient is computed for it or for ops on constants only.
    public func constant(_ value: Matrix) -> Variable {
        append(Node(value: value, grad: nil, needsGradient: false, backward: nil))
    }

    /// The value of `v`.
    public func value(_ v: Variable) -> Matrix { nodes[v.id].value }

    /// The gradient of the last `backward` target with respect to `v`; nil if none reached it.
    public func gradient(_ v: Variable) -> Matrix? { nodes[v.id].grad }

    /// True when `v` depends on a parameter.
    public func needsGradient(_ v: Variable) -> Bool { nodes[v.id].needsGradient }

    /// Back-propagates from `output`, seeding its gradient with `seed`
    /// (default: ones, which for a 1 x 1 loss is d loss / d loss = 1).
    public func backward(_ output: Variable, seed: Matrix? = nil) {
        let s = seed ?? Matrix(rows: output.rows, cols: output.cols, repeating: 1)
        precondition(s.rows == output.rows && s.cols == output.cols, "backward seed shape")
        for i in nodes.indices { if i != output.id { nodes[i].grad = nil } }
        nodes[output.id].grad = s
        for i in stride(from: output.id, through: 0, by: -1) {
            guard let g = nodes[i].grad, let step = nodes[i].backward else { continue }
            step(self, g)
            // Intermediate gradients are not needed again; leaves keep theirs.
            nodes[i].grad = nil
        }
    }

    /// Records an op's output. `backward` is kept only if an input needs a gradient.
    public func record(_ value: Matrix, inputs: [Variable], backward: @escaping (Tape, Matrix) -> Void) -> Variable {
        let needs = inputs.contains { nodes[$0.id].needsGradient }
        return append(Node(value: value, grad: nil, needsGradient: needs, backward: needs ? backward : nil))
    }

    /// Adds `g` to the gradient of `v` (no-op for constants).
    public func accumulate(_ g: Matrix, into v: Variable) {
        guard nodes[v.id].needsGradient else { return }
        precondition(g.rows == v.rows && g.cols == v.cols,
                     "gradient \(g.rows)x\(g.cols) for a \(v.rows)x\(v.cols) variable")
        if nodes[v.id].grad == nil { nodes[v.id].grad = g } else { nodes[v.id].grad!.add(g) }
    }

    /// Adds into the gradient of `v` in place, creating a zero gradient first.
    public func accumulateInPlace(into v: Variable, _ body: (inout Matrix) -> Void) {
        guard nodes[v.id].needsGradient else { return }
        if nodes[v.id].grad == nil { nodes[v.id].grad = Matrix(rows: v.rows, cols: v.cols) }
        body(&nodes[v.id].grad!)
    }

    private func append(_ node: Node) -> Variable {
        nodes.append(node)
        return Variable(id: nodes.count - 1, rows: node.value.rows, cols: node.value.cols)
    }
}

/// A handle to a matrix on a `Tape`: its position and shape.
public struct Variable: Hashable, Sendable {
    public let id: Int
    public let rows: Int
    public let cols: Int
}
