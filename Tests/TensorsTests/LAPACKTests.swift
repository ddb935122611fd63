import Testing
@testable import Tensors

@Suite struct LAPACKTests {
    /// |a - b| <= tol elementwise.
    func close(_ a: Matrix, _ b: Matrix, _ tol: Float = 1e-4) -> Bool {
        a.rows == b.rows && a.cols == b.cols && zip(a.storage, b.storage).allSatisfy { abs($0 - $1) <= tol }
    }

    @Test func choleskySolvesHandCheckedSystem() throws {
        // [[4, 2], [2, 3]] x = [2, 1]: det 8, x = [ (3*2 - 2*1)/8, (4*1 - 2*2)/8 ] = [0.5, 0].
        let a = Matrix([[4, 2], [2, 3]])
        let x = try LAPACK.solvePositiveDefinite(a, Matrix([[2], [1]]))
        #expect(close(x, Matrix([[0.5], [0]]), 1e-6))
    }

    @Test func choleskySolvesSeveralRightHandSidesInRowMajor() throws {
        // A = [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]; its inverse is [[3,2,1],[2,4,2],[1,2,3]] / 4.
        let a = Matrix([[2, -1, 0], [-1, 2, -1], [0, -1, 2]])
        let identity = Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let inverse = try LAPACK.solvePositiveDefinite(a, identity)
        #expect(close(inverse, Matrix([[0.75, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.75]]), 1e-6))
        // A non-symmetric right-hand side block checks the row/column-major handling.
        let b = Matrix([[1, 0], [2, 1], [3, 5]])
        let x = try LAPACK.solvePositiveDefinite(a, b)
        #expect(close(BLAS.matmul(a, x), b, 1e-5))
        #expect(close(x, BLAS.matmul(inverse, b), 1e-5))
    }

    @Test func inverseFromTheCholeskyFactorIsWholeAndSymmetric() throws {
        let a = Matrix([[2, -1, 0], [-1, 2, -1], [0, -1, 2]])
        let inverse = try LAPACK.invertPositiveDefinite(a)
        #expect(close(inverse, Matrix([[0.75, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.75]]), 1e-6))
        // A larger random SPD matrix (M^T M + I): both triangles filled, A * A^-1 = I.
        var rng = SeededGenerator(seed: 3)
        let m = Matrix(rows: 40, cols: 30, storage: (0..<1200).map { _ in rng.nextFloat() - 0.5 })
        var spd = BLAS.matmul(m, transposeA: true, m)
        for i in 0..<30 { spd[i, i] += 1 }
        let inv = try LAPACK.invertPositiveDefinite(spd)
        #expect(inv == inv.transposed())
        var identity = Matrix(rows: 30, cols: 30)
        for i in 0..<30 { identity[i, i] = 1 }
        #expect(close(BLAS.matmul(spd, inv), identity, 1e-4))
        #expect(throws: LAPACKError(routine: "spotrf", info: 2)) { try LAPACK.invertPositiveDefinite(Matrix([[1, 2], [2, 1]])) }
    }

    @Test func choleskyRejectsIndefiniteMatrix() {
        // [[1, 2], [2, 1]] has eigenvalues 3 and -1: the order-2 minor fails.
        #expect(throws: LAPACKError(routine: "sposv", info: 2)) {
            try LAPACK.solvePositiveDefinite(Matrix([[1, 2], [2, 1]]), Matrix([[1], [1]]))
        }
        let message = LAPACKError(routine: "sposv", info: 2).description
        #expect(message.contains("not positive definite"))
    }

    @Test func eigenpairsOfHandCheckedSymmetricMatrix() throws {
        // [[2, 1], [1, 2]]: eigenvalues 1 (v = [1, -1]/sqrt2) and 3 (v = [1, 1]/sqrt2), ascending.
        let (w, v) = try LAPACK.symmetricEigen(Matrix([[2, 1], [1, 2]]))
        #expect(abs(w[0] - 1) < 1e-5 && abs(w[1] - 3) < 1e-5)
        let h = Float(0.5).squareRoot()
        #expect(abs(abs(v[0, 1]) - h) < 1e-5 && abs(abs(v[1, 1]) - h) < 1e-5)
        #expect(v[0, 1] * v[1, 1] > 0)  // top eigenvector has equal signs
        #expect(v[0, 0] * v[1, 0] < 0)  // bottom one has opposite signs
    }

    @Test func eigenpairsSatisfyDefinitionOnLargerMatrix() throws {
        var rng = SeededGenerator(seed: 7)
        let x = Matrix.normal(rows: 9, cols: 6, using: &rng)
        let a = BLAS.matmul(x, transposeA: true, x)  // 6x6 symmetric PSD
        let (w, v) = try LAPACK.symmetricEigen(a)
        #expect(w == w.sorted())
        for j in 0..<6 {
            let column = Matrix(rows: 6, cols: 1, storage: (0..<6).map { v[$0, j] })
            let av = BLAS.matmul(a, column)
            let wv = Matrix(rows: 6, cols: 1, storage: column.storage.map { $0 * w[j] })
            #expect(close(av, wv, 1e-3), "A v != w v for eigenpair \(j)")
        }
        // Orthonormal columns: V^T V = I.
        let vtv = BLAS.matmul(v, transposeA: true, v)
        for i in 0..<6 { for j in 0..<6 { #expect(abs(vtv[i, j] - (i == j ? 1 : 0)) < 1e-4) } }
    }

    @Test func svdReconstructsWideAndTallMatrices() throws {
        var rng = SeededGenerator(seed: 3)
        for (m, n) in [(4, 7), (7, 4), (5, 5)] {
            let a = Matrix.normal(rows: m, cols: n, using: &rng)
            let (u, s, vt) = try LAPACK.svd(a)
            let r = min(m, n)
            #expect(u.rows == m && u.cols == r && vt.rows == r && vt.cols == n && s.count == r)
            #expect(s == s.sorted(by: >) && s.allSatisfy { $0 >= 0 })
            var us = u
            for i in 0..<m { for j in 0..<r { us[i, j] *= s[j] } }
            #expect(close(BLAS.matmul(us, vt), a, 1e-4), "U S V^T != A for \(m)x\(n)")
            let utu = BLAS.matmul(u, transposeA: true, u)
            for i in 0..<r { #expect(abs(utu[i, i] - 1) < 1e-4) }
        }
    }

    @Test func svdOfHandCheckedRankOneMatrix() throws {
        // [[3, 4], [6, 8]] = [1, 2]^T [3, 4]: one singular value sqrt(5) * 5, the other 0.
        let (_, s, vt) = try LAPACK.svd(Matrix([[3, 4], [6, 8]]))
        #expect(abs(s[0] - 5 * Float(5).squareRoot()) < 1e-4)
        #expect(abs(s[1]) < 1e-4)
        #expect(abs(abs(vt[0, 0]) - 0.6) < 1e-5 && abs(abs(vt[0, 1]) - 0.8) < 1e-5)
    }
}
