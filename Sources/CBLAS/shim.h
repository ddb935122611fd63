#ifndef RECSH_CBLAS_SHIM_H
#define RECSH_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface plus the few OpenBLAS and LAPACK entry points
// recsh uses. On macOS, Tensors imports Accelerate instead of this module.
#include <cblas.h>

// LAPACK (Fortran ABI, shipped inside libopenblas).
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info);
void sposv_(const char *uplo, const int *n, const int *nrhs, float *a, const int *lda,
            float *b, const int *ldb, int *info);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
void spotri_(const char *uplo, const int *n, float *a, const int *lda, int *info);
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda,
             float *s, float *u, const int *ldu, float *vt, const int *ldvt,
             float *work, const int *lwork, int *iwork, int *info);
#endif
