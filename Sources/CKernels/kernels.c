#include "CKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

bool recsh_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// One body for both accumulate kernels; inlined into each, so the entry == NULL
// test folds away in the plain one.
__attribute__((target("avx2,fma"), always_inline))
static inline void accumulate_rows(const int64_t *rowStart, const int32_t *colIndex, const int32_t *entry,
                                   const float *weights, int64_t weightStride,
                                   const float *source, int64_t sourceStride,
                                   float *dst, int64_t dstStride, int64_t width,
                                   int64_t rowBegin, int64_t rowEnd) {
#define WEIGHT(p) weights[(entry ? (int64_t)entry[p] : (p)) * weightStride]
    for (int64_t r = rowBegin; r < rowEnd; r++) {
        float *o = dst + r * dstStride;
        const int64_t lo = rowStart[r], hi = rowStart[r + 1];
        if (lo == hi) continue;
        int64_t j = 0;
        // 64 columns in eight 8-wide registers: each neighbour row is read once.
        for (; j + 64 <= width; j += 64) {
            __m256 a0 = _mm256_loadu_ps(o + j), a1 = _mm256_loadu_ps(o + j + 8);
            __m256 a2 = _mm256_loadu_ps(o + j + 16), a3 = _mm256_loadu_ps(o + j + 24);
            __m256 a4 = _mm256_loadu_ps(o + j + 32), a5 = _mm256_loadu_ps(o + j + 40);
            __m256 a6 = _mm256_loadu_ps(o + j + 48), a7 = _mm256_loadu_ps(o + j + 56);
            for (int64_t p = lo; p < hi; p++) {
                const __m256 v = _mm256_set1_ps(WEIGHT(p));
                const float *s = source + (int64_t)colIndex[p] * sourceStride + j;
                a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s), a0);
                a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 8), a1);
                a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 16), a2);
                a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 24), a3);
                a4 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 32), a4);
                a5 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 40), a5);
                a6 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 48), a6);
                a7 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 56), a7);
            }
            _mm256_storeu_ps(o + j, a0); _mm256_storeu_ps(o + j + 8, a1);
            _mm256_storeu_ps(o + j + 16, a2); _mm256_storeu_ps(o + j + 24, a3);
            _mm256_storeu_ps(o + j + 32, a4); _mm256_storeu_ps(o + j + 40, a5);
            _mm256_storeu_ps(o + j + 48, a6); _mm256_storeu_ps(o + j + 56, a7);
        }
        // A 32-column block the same way (GAT's 44-wide inputs).
        for (; j + 32 <= width; j += 32) {
            __m256 a0 = _mm256_loadu_ps(o + j), a1 = _mm256_loadu_ps(o + j + 8);
            __m256 a2 = _mm256_loadu_ps(o + j + 16), a3 = _mm256_loadu_ps(o + j + 24);
            for (int64_t p = lo; p < hi; p++) {
                const __m256 v = _mm256_set1_ps(WEIGHT(p));
                const float *s = source + (int64_t)colIndex[p] * sourceStride + j;
                a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s), a0);
                a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 8), a1);
                a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 16), a2);
                a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(s + 24), a3);
            }
            _mm256_storeu_ps(o + j, a0); _mm256_storeu_ps(o + j + 8, a1);
            _mm256_storeu_ps(o + j + 16, a2); _mm256_storeu_ps(o + j + 24, a3);
        }
        for (; j + 8 <= width; j += 8) {
            __m256 a = _mm256_loadu_ps(o + j);
            for (int64_t p = lo; p < hi; p++) {
                a = _mm256_fmadd_ps(_mm256_set1_ps(WEIGHT(p)),
                                    _mm256_loadu_ps(source + (int64_t)colIndex[p] * sourceStride + j), a);
            }
            _mm256_storeu_ps(o + j, a);
        }
        for (; j < width; j++) {
            float a = o[j];
            for (int64_t p = lo; p < hi; p++) a += WEIGHT(p) * source[(int64_t)colIndex[p] * sourceStride + j];
            o[j] = a;
        }
    }
#undef WEIGHT
}

__attribute__((target("avx2,fma")))
void recsh_accumulate_rows_avx2(const int64_t *rowStart, const int32_t *colIndex,
                                const float *weights, int64_t weightStride,
                                const float *source, int64_t sourceStride,
                                float *dst, int64_t dstStride, int64_t width,
                                int64_t rowBegin, int64_t rowEnd) {
    accumulate_rows(rowStart, colIndex, NULL, weights, weightStride, source, sourceStride,
                    dst, dstStride, width, rowBegin, rowEnd);
}

__attribute__((target("avx2,fma")))
void recsh_accumulate_rows_indexed_avx2(const int64_t *rowStart, const int32_t *colIndex, const int32_t *entry,
                                        const float *weights, int64_t weightStride,
                                        const float *source, int64_t sourceStride,
                                        float *dst, int64_t dstStride, int64_t width,
                                        int64_t rowBegin, int64_t rowEnd) {
    if (entry == NULL) {
        accumulate_rows(rowStart, colIndex, NULL, weights, weightStride, source, sourceStride,
                        dst, dstStride, width, rowBegin, rowEnd);
    } else {
        accumulate_rows(rowStart, colIndex, entry, weights, weightStride, source, sourceStride,
                        dst, dstStride, width, rowBegin, rowEnd);
    }
}

__attribute__((target("avx2,fma")))
void recsh_edge_dots_avx2(const int64_t *rowStart, const int32_t *colIndex,
                          const float *a, int64_t aStride, const float *b, int64_t bStride, int64_t width,
                          float *out, int64_t outStride, int64_t rowBegin, int64_t rowEnd) {
    for (int64_t r = rowBegin; r < rowEnd; r++) {
        const float *x = a + r * aStride;
        for (int64_t p = rowStart[r]; p < rowStart[r + 1]; p++) {
            const float *y = b + (int64_t)colIndex[p] * bStride;
            __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
            int64_t j = 0;
            for (; j + 16 <= width; j += 16) {
                s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j), s0);
                s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + j + 8), _mm256_loadu_ps(y + j + 8), s1);
            }
            if (j + 8 <= width) {
                s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j), s0);
                j += 8;
            }
            __m256 s = _mm256_add_ps(s0, s1);
            __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
            h = _mm_add_ps(h, _mm_movehl_ps(h, h));
            h = _mm_add_ss(h, _mm_movehdup_ps(h));
            float acc = _mm_cvtss_f32(h);
            for (; j < width; j++) acc += x[j] * y[j];
            out[p * outStride] = acc;
        }
    }
}

#else

bool recsh_has_avx2_fma(void) { return false; }

void recsh_accumulate_rows_avx2(const int64_t *rowStart, const int32_t *colIndex,
                                const float *weights, int64_t weightStride,
                                const float *source, int64_t sourceStride,
                                float *dst, int64_t dstStride, int64_t width,
                                int64_t rowBegin, int64_t rowEnd) {
    (void)rowStart; (void)colIndex; (void)weights; (void)weightStride; (void)source;
    (void)sourceStride; (void)dst; (void)dstStride; (void)width; (void)rowBegin; (void)rowEnd;
}

void recsh_accumulate_rows_indexed_avx2(const int64_t *rowStart, const int32_t *colIndex, const int32_t *entry,
                                        const float *weights, int64_t weightStride,
                                        const float *source, int64_t sourceStride,
                                        float *dst, int64_t dstStride, int64_t width,
                                        int64_t rowBegin, int64_t rowEnd) {
    (void)rowStart; (void)colIndex; (void)entry; (void)weights; (void)weightStride; (void)source;
    (void)sourceStride; (void)dst; (void)dstStride; (void)width; (void)rowBegin; (void)rowEnd;
}

void recsh_edge_dots_avx2(const int64_t *rowStart, const int32_t *colIndex,
                          const float *a, int64_t aStride, const float *b, int64_t bStride, int64_t width,
                          float *out, int64_t outStride, int64_t rowBegin, int64_t rowEnd) {
    (void)rowStart; (void)colIndex; (void)a; (void)aStride; (void)b; (void)bStride; (void)width;
    (void)out; (void)outStride; (void)rowBegin; (void)rowEnd;
}

#endif
