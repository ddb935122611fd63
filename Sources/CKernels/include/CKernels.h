// Wide-vector versions of recsh's sparse row kernels, for CPUs that have them.
//
// Swift compiles for the x86-64 baseline (SSE2) unless the whole program is
// built for a newer CPU, which would make the binary crash on older ones.
// C lets one function be compiled for AVX2 + FMA and chosen at run time:
// the gather-accumulate loop of sparse x dense products runs about 3x fewer
// instructions with 256-bit fused multiply-adds. The portable Swift kernel
// (Tensors/RowKernels.swift) is used everywhere else and is the reference
// the tests compare this one against.
#ifndef RECSH_CKERNELS_H
#define RECSH_CKERNELS_H

#include <stdbool.h>
#include <stdint.h>

/// True when this build has the AVX2 kernel and the running CPU supports AVX2 and FMA.
bool recsh_has_avx2_fma(void);

/// For each row r in [rowBegin, rowEnd) and column j < width:
///   dst[r * dstStride + j] += sum_{p in [rowStart[r], rowStart[r+1])}
///                             weights[p * weightStride] * source[colIndex[p] * sourceStride + j]
/// Only call when recsh_has_avx2_fma() returned true.
void recsh_accumulate_rows_avx2(const int64_t *rowStart, const int32_t *colIndex,
                                const float *weights, int64_t weightStride,
                                const float *source, int64_t sourceStride,
                                float *dst, int64_t dstStride, int64_t width,
                                int64_t rowBegin, int64_t rowEnd);

/// The same with the weight of entry p read at weights[entry[p] * weightStride]
/// (a transpose walked in its own order with the weights stored in the
/// original's order); entry NULL reads weights[p * weightStride].
void recsh_accumulate_rows_indexed_avx2(const int64_t *rowStart, const int32_t *colIndex, const int32_t *entry,
                                        const float *weights, int64_t weightStride,
                                        const float *source, int64_t sourceStride,
                                        float *dst, int64_t dstStride, int64_t width,
                                        int64_t rowBegin, int64_t rowEnd);

/// For each row r in [rowBegin, rowEnd) and entry p of it:
///   out[p * outStride] = sum_{j < width} a[r * aStride + j] * b[colIndex[p] * bStride + j]
/// (a row's gradient against each neighbour's row: an edge weight's gradient).
void recsh_edge_dots_avx2(const int64_t *rowStart, const int32_t *colIndex,
                          const float *a, int64_t aStride, const float *b, int64_t bStride, int64_t width,
                          float *out, int64_t outStride, int64_t rowBegin, int64_t rowEnd);

#endif
