#include "CKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

bool recsh_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma")))
void recsh_accumulate_rows_avx2(const int64_t *rowStart, const int32_t *colIndex,
                                const float *weights, int64_t weightStride,
                                const float *source, int64_t sourceStride,
                                float *dst, int64_t dstStride, int64_t width,
                                int64_t rowBegin, int64_t rowEnd) {
    for (int64_t r = rowBegin; r < rowEnd; r++) {
        float *o = dst + r * dstStride;
        const int64_t lo = rowStart[r], hi = rowStart[r + 1];
        int64_t j = 0;
        // 64 columns in eight 8-wide registers: each neighbour row is read once.
        for (; j + 64 <= width; j += 64) {
            __m256 a0 = _mm256_loadu_ps(o + j), a1 = _mm256_loadu_ps(o + j + 8);
            __m256 a2 = _mm256_loadu_ps(o + j + 16), a3 = _mm256_loadu_ps(o + j + 24);
            __m256 a4 = _mm256_loadu_ps(o + j + 32), a5 = _mm256_loadu_ps(o + j + 40);
            __m256 a6 = _mm256_loadu_ps(o + j + 48), a7 = _mm256_loadu_ps(o + j + 56);
            for (int64_t p = lo; p < hi; p++) {
                const __m256 v = _mm256_set1_ps(weights[p * weightStride]);
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
        for (; j + 8 <= width; j += 8) {
            __m256 a = _mm256_loadu_ps(o + j);
            for (int64_t p = lo; p < hi; p++) {
                a = _mm256_fmadd_ps(_mm256_set1_ps(weights[p * weightStride]),
                                    _mm256_loadu_ps(source + (int64_t)colIndex[p] * sourceStride + j), a);
            }
            _mm256_storeu_ps(o + j, a);
        }
        for (; j < width; j++) {
            float a = o[j];
            for (int64_t p = lo; p < hi; p++) a += weights[p * weightStride] * source[(int64_t)colIndex[p] * sourceStride + j];
            o[j] = a;
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

#endif
