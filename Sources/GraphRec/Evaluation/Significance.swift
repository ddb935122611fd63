#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Is model A better than model B on the same users, or is the gap noise?
///
/// `compare` pairs two models' per-user NDCG (same split, same users) and
/// reports a paired t-test and a sign test. Both are two-sided.
public enum Significance {
    public struct PairedTest: Sendable, Equatable {
        /// Users paired.
        public var n: Int
        /// Mean of a - b.
        public var meanDifference: Double
        /// Standard error of the mean difference.
        public var standardError: Double
        /// t = mean / standard error, with n - 1 degrees of freedom.
        public var t: Double
        /// Two-sided p-value of the paired t-test.
        public var tTestP: Double
        /// Users where a > b, a < b, a == b.
        public var wins: Int
        public var losses: Int
        public var ties: Int
        /// Two-sided exact binomial p-value of the sign test (ties dropped).
        public var signTestP: Double
    }

    /// Paired tests of `a` against `b` (equal lengths, one entry per user).
    public static func paired(_ a: [Double], _ b: [Double]) -> PairedTest {
        precondition(a.count == b.count, "paired test needs equal lengths: \(a.count) vs \(b.count)")
        let n = a.count
        var wins = 0, losses = 0, ties = 0
        var mean = 0.0
        for i in 0..<n {
            let d = a[i] - b[i]
            mean += d
            if d > 0 { wins += 1 } else if d < 0 { losses += 1 } else { ties += 1 }
        }
        mean = n > 0 ? mean / Double(n) : 0
        var ss = 0.0
        for i in 0..<n { let d = a[i] - b[i] - mean; ss += d * d }
        let se = n > 1 ? (ss / Double(n - 1) / Double(n)).squareRoot() : 0
        var t = 0.0, p = 1.0
        if n > 1 {
            if se > 0 {
                t = mean / se
                p = studentTwoSidedP(t: t, degreesOfFreedom: Double(n - 1))
            } else if mean != 0 {
                t = mean > 0 ? .infinity : -.infinity
                p = 0
            }
        }
        return PairedTest(n: n, meanDifference: mean, standardError: se, t: t, tTestP: p,
                          wins: wins, losses: losses, ties: ties,
                          signTestP: signTestP(wins: wins, losses: losses))
    }

    /// P(|T| >= |t|) for Student's t with `df` degrees of freedom:
    /// I_{df/(df+t^2)}(df/2, 1/2).
    public static func studentTwoSidedP(t: Double, degreesOfFreedom df: Double) -> Double {
        guard t.isFinite else { return 0 }
        return min(1, max(0, regularizedBeta(x: df / (df + t * t), a: df / 2, b: 0.5)))
    }

    /// Two-sided exact sign test: 2 * P(X <= min(wins, losses)), X ~ Binomial(wins + losses, 1/2).
    public static func signTestP(wins: Int, losses: Int) -> Double {
        let n = wins + losses
        guard n > 0 else { return 1 }
        let m = min(wins, losses)
        var tail = 0.0
        let lnHalfN = Double(n) * log(0.5)
        for i in 0...m {
            tail += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) + lnHalfN)
        }
        return min(1, 2 * tail)
    }

    /// The regularized incomplete beta function I_x(a, b), by Lentz's continued fraction.
    static func regularizedBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedBeta(x: 1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...300 {
            let mm = Double(m)
            var num = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; f *= d * c
            num = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return exp(lnFront) * f / a
    }
}
