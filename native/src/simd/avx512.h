// simd/avx512.h — the 16-lane vector V on AVX-512F: one __m512. Included inside namespace gm::avx512 by
// kernels_avx512.cpp only (compiled with -mavx512f); the kernels in kernels.inl are written against V.
// exp/log follow Cephes (expf.c, logf.c): max relative error about 1e-7 over the range used here.

struct V {
    __m512 v;
};
using Mask = __mmask16;

static inline V load(const float* p) { return {_mm512_loadu_ps(p)}; }
static inline void store(float* p, V a) { _mm512_storeu_ps(p, a.v); }
static inline V load_n(const float* p, int n) { return {_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), p)}; }
static inline void store_n(float* p, V a, int n) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1u), a.v); }
static inline V zero() { return {_mm512_setzero_ps()}; }
static inline V set1(float x) { return {_mm512_set1_ps(x)}; }
static inline V add(V a, V b) { return {_mm512_add_ps(a.v, b.v)}; }
static inline V sub(V a, V b) { return {_mm512_sub_ps(a.v, b.v)}; }
static inline V mul(V a, V b) { return {_mm512_mul_ps(a.v, b.v)}; }
static inline V div(V a, V b) { return {_mm512_div_ps(a.v, b.v)}; }
static inline V fmadd(V a, V b, V c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }   // a*b + c
static inline V fnmadd(V a, V b, V c) { return {_mm512_fnmadd_ps(a.v, b.v, c.v)}; } // c - a*b
static inline V vmin(V a, V b) { return {_mm512_min_ps(a.v, b.v)}; }  // b when either is NaN
static inline V vmax(V a, V b) { return {_mm512_max_ps(a.v, b.v)}; }
static inline Mask gt(V a, V b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ); }
static inline V select(Mask m, V a, V b) { return {_mm512_mask_blend_ps(m, b.v, a.v)}; }  // m ? a : b
static inline float hsum(V a) { return _mm512_reduce_add_ps(a.v); }

// 2^n * p(f): p is a degree-6 minimax polynomial for 2^f on [-0.5, 0.5] (relative error 2e-9 before
// rounding); scalef applies 2^n with correct overflow to inf and underflow through the denormals to 0.
static inline __m512 pow2_parts(__m512 n, __m512 f) {
    __m512 p = _mm512_set1_ps(1.5345812426e-4f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.3399930904e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.6184890717e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5503286421e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022646248e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314718246e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// 2^u, the hot-loop exponential (callers fold log2(e) into A). Clamped to [-150, 129] first: beyond that
// the result is 0 or inf anyway, and the round-to-nearest trick (adding 1.5 * 2^23) needs |u| < 2^22.
// NaN passes through the clamps (the second operand of min/max is returned for NaN).
static inline V vexp2(V u) {
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 x = _mm512_min_ps(_mm512_set1_ps(129.0f), _mm512_max_ps(_mm512_set1_ps(-150.0f), u.v));
    __m512 n = _mm512_sub_ps(_mm512_add_ps(x, magic), magic);
    return {pow2_parts(n, _mm512_sub_ps(x, n))};
}

// e^x, accurate to ~1e-7 relative over the whole range: x log2(e) is split exactly (FMA) so the reduced
// argument carries no rounding error from the product.
static inline V vexp(V xin) {
    const __m512 magic = _mm512_set1_ps(12582912.0f), l2e = _mm512_set1_ps(1.44269502163f);
    __m512 x = _mm512_min_ps(_mm512_set1_ps(89.5f), _mm512_max_ps(_mm512_set1_ps(-104.0f), xin.v));
    __m512 hi = _mm512_mul_ps(x, l2e);
    __m512 lo = _mm512_fmsub_ps(x, l2e, hi);                                  // exact error of the product
    lo = _mm512_fmadd_ps(x, _mm512_set1_ps(1.9259629891e-8f), lo);         // log2(e) - l2e
    __m512 n = _mm512_sub_ps(_mm512_add_ps(hi, magic), magic);
    return {pow2_parts(n, _mm512_add_ps(_mm512_sub_ps(hi, n), lo))};
}

// log(x) for finite x > 0.
static inline V vlog(V x) {
    __m512 e = _mm512_getexp_ps(x.v);                                      // floor(log2 x)
    __m512 m = _mm512_getmant_ps(x.v, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);  // [1, 2)
    __mmask16 big = _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm512_mask_mul_ps(m, big, m, _mm512_set1_ps(0.5f));
    e = _mm512_mask_add_ps(e, big, e, _mm512_set1_ps(1.0f));
    __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
    __m512 z = _mm512_mul_ps(f, f);
    __m512 p = _mm512_set1_ps(7.0376836292e-2f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-1.1514610310e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.1676998740e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-1.2420140846e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.4249322787e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-1.6668057665e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.0000714765e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(-2.4999993993e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(3.3333331174e-1f));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, f), z);
    y = _mm512_fmadd_ps(e, _mm512_set1_ps(-2.12194440e-4f), y);
    y = _mm512_fnmadd_ps(z, _mm512_set1_ps(0.5f), y);
    __m512 r = _mm512_add_ps(f, y);
    return {_mm512_fmadd_ps(e, _mm512_set1_ps(0.693359375f), r)};
}

// In-place transpose of the 16x16 block r[row][lane].
static inline void transpose16(V* r) {
    __m512 t[16], s[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i].v, r[i + 1].v);
        t[i + 1] = _mm512_unpackhi_ps(r[i].v, r[i + 1].v);
    }
    for (int i = 0; i < 16; i += 4) {
        s[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        s[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        s[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        s[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    // s[4q + c] holds, in each 128-bit lane L, rows 4q..4q+3 of column 4L + c.
    for (int q = 0; q < 16; q += 8) {
        for (int c = 0; c < 4; ++c) {
            t[q + c] = _mm512_shuffle_f32x4(s[q + c], s[q + 4 + c], 0x88);
            t[q + 4 + c] = _mm512_shuffle_f32x4(s[q + c], s[q + 4 + c], 0xdd);
        }
    }
    for (int c = 0; c < 8; ++c) {
        r[c].v = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
        r[8 + c].v = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xdd);
    }
}

// out[i] = sum of the 16 floats of vector i, for the 16 vectors stored at vecs (256 floats). A tree of
// shuffles and adds: 46 instructions for 16 sums instead of 16 separate horizontal sums.
static inline void reduce16(const float* vecs, float* out) {
    __m512 w[8], q[4];
    for (int i = 0; i < 8; ++i) {
        __m512 a = _mm512_loadu_ps(vecs + 32 * i), b = _mm512_loadu_ps(vecs + 32 * i + 16);
        w[i] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xee));
    }
    for (int i = 0; i < 4; ++i)
        q[i] = _mm512_add_ps(_mm512_shuffle_f32x4(w[2 * i], w[2 * i + 1], 0x88),
                             _mm512_shuffle_f32x4(w[2 * i], w[2 * i + 1], 0xdd));
    // q[i], 128-bit lane j: the four partial sums of vector 4i + j.
    __m512 s0 = _mm512_add_ps(_mm512_unpacklo_ps(q[0], q[1]), _mm512_unpackhi_ps(q[0], q[1]));
    __m512 s1 = _mm512_add_ps(_mm512_unpacklo_ps(q[2], q[3]), _mm512_unpackhi_ps(q[2], q[3]));
    __m512 f = _mm512_add_ps(_mm512_shuffle_ps(s0, s1, _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_ps(s0, s1, _MM_SHUFFLE(3, 2, 3, 2)));
    // f[4j + m] = sum of vector 4m + j.
    const __m512i idx = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
    _mm512_storeu_ps(out, _mm512_permutexvar_ps(idx, f));
}
