/// Adam (Kingma and Ba) over named parameter matrices, with optional L2
/// weight decay added to the gradient as `torch.optim.Adam(weight_decay=)` does.
///
/// Moments are kept per parameter name, so a model's `[String: Matrix]`
/// parameters update in place: `adam.step(&params, gradients: grads)`.
/// A parameter without a gradient this step is left unchanged.
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Steps taken so far (bias correction uses it).
    public private(set) var stepCount = 0
    private var m: [String: Matrix] = [:]
    private var v: [String: Matrix] = [:]

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// One update of every parameter that has a gradient.
    public mutating func step(_ parameters: inout [String: Matrix], gradients: [String: Matrix]) {
        stepCount += 1
        let t = Float(stepCount)
        let c1 = 1 - powf(beta1, t), c2 = 1 - powf(beta2, t)
        let (b1, b2, eps, lr, wd) = (beta1, beta2, epsilon, learningRate, weightDecay)
        for name in parameters.keys.sorted() {
            guard let g = gradients[name] else { continue }
            precondition(g.rows == parameters[name]!.rows && g.cols == parameters[name]!.cols,
                         "Adam: gradient shape of \(name)")
            var mm = m[name] ?? Matrix(rows: g.rows, cols: g.cols)
            var vv = v[name] ?? Matrix(rows: g.rows, cols: g.cols)
            m[name] = nil; v[name] = nil // keep the moments uniquely referenced
            let n = g.count
            parameters[name]!.storage.withUnsafeMutableBufferPointer { p in
                g.storage.withUnsafeBufferPointer { gp in
                    mm.storage.withUnsafeMutableBufferPointer { mp in
                        vv.storage.withUnsafeMutableBufferPointer { vp in
                            for i in 0..<n {
                                let gi = gp[i] + wd * p[i]
                                mp[i] = b1 * mp[i] + (1 - b1) * gi
                                vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
                                let mh = mp[i] / c1, vh = vp[i] / c2
                                p[i] -= lr * mh / (vh.squareRoot() + eps)
                            }
                        }
                    }
                }
            }
            m[name] = mm
            v[name] = vv
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
