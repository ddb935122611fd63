#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The seam to the platform's BLAS: OpenBLAS through `CBLAS` on Linux,
/// Accelerate on macOS. Only this file names BLAS symbols.
public enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C, all row-major.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false,
        _ b: Matrix, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0, into c: inout Matrix
    ) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "gemm inner dimensions differ: \(k) vs \(kb)")
        precondition(c.rows == m && c.cols == n, "gemm output is \(c.rows)x\(c.cols), expected \(m)x\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { c = Matrix(rows: m, cols: n) } else { for i in 0..<c.count { c.storage[i] *= beta } }
            return
        }
        let lda = max(a.cols, 1), ldb = max(b.cols, 1), ldc = max(n, 1)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(
                        CblasRowMajor,
                        transposeA ? CblasTrans : CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k),
                        alpha, pa.baseAddress, Int32(lda),
                        pb.baseAddress, Int32(ldb),
                        beta, pc.baseAddress, Int32(ldc))
                }
            }
        }
    }

    /// C = alpha * op(A) * op(B) + beta * C on raw row-major blocks with
    /// leading dimensions, so column blocks of wider matrices multiply in
    /// place (A is m x k after op, B k x n, C m x n).
    public static func gemm(m: Int, n: Int, k: Int,
                            _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                            _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 0,
                            into c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {  // C = beta * C; BLAS implementations disagree on this edge case
            for i in 0..<m { for j in 0..<n { c[i &* ldc &+ j] = beta == 0 ? 0 : beta * c[i &* ldc &+ j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// op(A) * op(B) as a new matrix.
    public static func matmul(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        let k = transposeA ? a.rows : a.cols
        let (m, n) = (transposeA ? a.cols : a.rows, transposeB ? b.rows : b.cols)
        // gemm overwrites every element (beta = 0), so zero-filling first would be wasted work.
        var c = k > 0 ? Matrix(uninitializedRows: m, cols: n) : Matrix(rows: m, cols: n)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// Sets the number of BLAS threads (OpenBLAS); no-op elsewhere.
    public static func setThreads(_ n: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(n))
        #endif
    }

    /// The BLAS kernel in use, e.g. "Haswell" (OpenBLAS) or "Accelerate".
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return String(cString: openblas_get_corename())
        #endif
    }
}

extension Matrix {
    /// Matrix product through BLAS.
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { BLAS.matmul(lhs, rhs) }
}
