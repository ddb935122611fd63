#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Thin wrappers over the LAPACK routines recsh needs: Cholesky solves
/// (`sposv`, ALS normal equations), the inverse from a Cholesky factor
/// (`spotrf` + `spotri`, EASE), the symmetric
/// eigendecomposition (`ssyevd`, PureSVD through X^T X) and the thin SVD
/// (`sgesdd`).
///
/// LAPACK is column-major and `Matrix` row-major. The wrappers use two facts
/// so that no call copies more than it must: a symmetric matrix is its own
/// transpose, and a row-major m x n buffer *is* the column-major n x m
/// transpose. Only this file names LAPACK symbols.
public enum LAPACK {
    /// Solves A X = B for a symmetric positive definite A (n x n) by Cholesky.
    /// B is n x r; the result has B's shape. Throws when A is not positive definite.
    public static func solvePositiveDefinite(_ a: Matrix, _ b: Matrix) throws(LAPACKError) -> Matrix {
        precondition(a.rows == a.cols, "sposv: A is \(a.rows)x\(a.cols), not square")
        precondition(b.rows == a.rows, "sposv: B has \(b.rows) rows, A has \(a.rows)")
        let n = a.rows, r = b.cols
        if n == 0 || r == 0 { return b }
        var factor = a.storage
        // Column-major B is row-major B^T; one right-hand side needs no transpose.
        var x = r == 1 ? b.storage : b.transposed().storage
        let info = factor.withUnsafeMutableBufferPointer { pa in
            x.withUnsafeMutableBufferPointer { px in
                solvePositiveDefinite(order: n, rightHandSides: r, a: pa.baseAddress!, b: px.baseAddress!)
            }
        }
        if info != 0 { throw LAPACKError(routine: "sposv", info: info) }
        return r == 1 ? Matrix(rows: n, cols: 1, storage: x) : Matrix(rows: r, cols: n, storage: x).transposed()
    }

    /// In-place Cholesky solve on raw buffers, for hot loops that reuse
    /// scratch space: `a` (n x n, symmetric; the upper triangle is read and
    /// overwritten by the factor) and `b` (column-major n x r, overwritten by
    /// the solution). Returns LAPACK's `info`: 0 on success, k > 0 when the
    /// leading minor of order k is not positive definite.
    public static func solvePositiveDefinite(order n: Int, rightHandSides r: Int,
                                             a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>) -> Int {
        var uplo = CChar(UInt8(ascii: "U"))
        var n32 = Int32(n), r32 = Int32(r), lda = Int32(max(n, 1)), ldb = Int32(max(n, 1)), info: Int32 = 0
        sposv_(&uplo, &n32, &r32, a, &lda, b, &ldb, &info)
        return Int(info)
    }

    /// The inverse of a symmetric positive definite A, computed in A's own
    /// buffer: Cholesky (`spotrf`), then the inverse from the factor
    /// (`spotri`). About n^3 flops, against 7/3 n^3 for `sposv` with an
    /// identity right-hand side, and no second n x n buffer. Throws when A
    /// is not positive definite.
    public static func invertPositiveDefinite(_ a: consuming Matrix) throws(LAPACKError) -> Matrix {
        precondition(a.rows == a.cols, "spotri: A is \(a.rows)x\(a.cols), not square")
        let n = a.rows
        if n == 0 { return a }
        var uplo = CChar(UInt8(ascii: "U"))
        var n32 = Int32(n), lda = Int32(n), info: Int32 = 0
        a.storage.withUnsafeMutableBufferPointer { p in spotrf_(&uplo, &n32, p.baseAddress!, &lda, &info) }
        if info != 0 { throw LAPACKError(routine: "spotrf", info: Int(info)) }
        a.storage.withUnsafeMutableBufferPointer { p in spotri_(&uplo, &n32, p.baseAddress!, &lda, &info) }
        if info != 0 { throw LAPACKError(routine: "spotri", info: Int(info)) }
        // spotri fills the column-major upper triangle, which is the row-major lower one: mirror it.
        a.storage.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            for r in 0..<n {
                for c in (r + 1)..<n { base[r &* n &+ c] = base[c &* n &+ r] }
            }
        }
        return a
    }

    /// Eigenvalues (ascending) and eigenvectors of a symmetric matrix:
    /// A * vectors = vectors * diag(values), column j of `vectors` the unit
    /// eigenvector of `values[j]`. Divide and conquer (`ssyevd`).
    public static func symmetricEigen(_ a: Matrix) throws(LAPACKError) -> (values: [Float], vectors: Matrix) {
        precondition(a.rows == a.cols, "ssyevd: A is \(a.rows)x\(a.cols), not square")
        let n = a.rows
        if n == 0 { return ([], a) }
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "U"))
        var n32 = Int32(n), lda = Int32(n), info: Int32 = 0
        var w = [Float](repeating: 0, count: n)
        var buffer = a.storage // symmetric: row-major == column-major
        // Workspace query, then the real call.
        var lwork: Int32 = -1, liwork: Int32 = -1, workSize: Float = 0, iworkSize: Int32 = 0
        ssyevd_(&jobz, &uplo, &n32, &buffer, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info)
        if info != 0 { throw LAPACKError(routine: "ssyevd", info: Int(info)) }
        lwork = Int32(workSize.rounded(.up)); liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevd_(&jobz, &uplo, &n32, &buffer, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        if info != 0 { throw LAPACKError(routine: "ssyevd", info: Int(info)) }
        // Column-major eigenvectors in columns are row-major eigenvectors in rows.
        return (w, Matrix(rows: n, cols: n, storage: buffer).transposed())
    }

    /// Thin SVD A = u * diag(singularValues) * vt, singular values descending;
    /// A is m x n, u is m x r, vt is r x n with r = min(m, n). (`sgesdd`)
    public static func svd(_ a: Matrix) throws(LAPACKError) -> (u: Matrix, singularValues: [Float], vt: Matrix) {
        let m = a.rows, n = a.cols, r = min(m, n)
        if r == 0 { return (Matrix(rows: m, cols: 0), [], Matrix(rows: 0, cols: n)) }
        // LAPACK sees the row-major buffer as C = A^T (n x m, column-major).
        // C = U' S V'^T gives A = V' S U'^T, and LAPACK's column-major U' (n x r)
        // and V'^T (r x m) are, read row-major, exactly our vt (r x n) and u (m x r).
        var jobz = CChar(UInt8(ascii: "S"))
        var cm = Int32(n), cn = Int32(m), lda = Int32(n), ldu = Int32(n), ldvt = Int32(r), info: Int32 = 0
        var buffer = a.storage
        var s = [Float](repeating: 0, count: r)
        var uPrime = [Float](repeating: 0, count: n * r)
        var vtPrime = [Float](repeating: 0, count: r * m)
        var iwork = [Int32](repeating: 0, count: 8 * r)
        var lwork: Int32 = -1, workSize: Float = 0
        sgesdd_(&jobz, &cm, &cn, &buffer, &lda, &s, &uPrime, &ldu, &vtPrime, &ldvt, &workSize, &lwork, &iwork, &info)
        if info != 0 { throw LAPACKError(routine: "sgesdd", info: Int(info)) }
        lwork = Int32(workSize.rounded(.up))
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesdd_(&jobz, &cm, &cn, &buffer, &lda, &s, &uPrime, &ldu, &vtPrime, &ldvt, &work, &lwork, &iwork, &info)
        if info != 0 { throw LAPACKError(routine: "sgesdd", info: Int(info)) }
        return (Matrix(rows: m, cols: r, storage: vtPrime), s, Matrix(rows: r, cols: n, storage: uPrime))
    }
}

/// A LAPACK routine's nonzero `info`: negative for a bad argument (a bug
/// here), positive for a numerical failure (not positive definite, no
/// convergence).
public struct LAPACKError: Error, Equatable, Sendable, CustomStringConvertible {
    public var routine: String
    public var info: Int

    public var description: String {
        if info < 0 { return "\(routine): argument \(-info) is invalid" }
        switch routine {
        case "sposv", "spotrf": return "\(routine): matrix is not positive definite (leading minor of order \(info))"
        case "ssyevd": return "ssyevd: eigenvalues failed to converge (info \(info))"
        case "sgesdd": return "sgesdd: SVD failed to converge (info \(info))"
        default: return "\(routine): failed with info \(info)"
        }
    }
}
