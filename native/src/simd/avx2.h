// simd/avx2.h — the 16-lane vector V on AVX2+FMA: two __m256 (lanes 0-7, 8-15). Included inside namespace
// gm::avx2 by kernels_avx2.cpp only (compiled with -mavx2 -mfma). exp/log follow Cephes (expf.c, logf.c).

struct V {
    __m256 lo, hi;
};
struct Mask {
    __m256 lo, hi;
};

static inline __m256i tail_mask8(int n) {  // lanes i < n set, n clamped to 0..8
    n = n < 0 ? 0 : (n > 8 ? 8 : n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline V load(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
static inline void store(float* p, V a) {
    _mm256_storeu_ps(p, a.lo);
    _mm256_storeu_ps(p + 8, a.hi);
}
static inline V load_n(const float* p, int n) {
    V r{_mm256_maskload_ps(p, tail_mask8(n)), _mm256_setzero_ps()};
    if (n > 8) r.hi = _mm256_maskload_ps(p + 8, tail_mask8(n - 8));
    return r;
}
static inline void store_n(float* p, V a, int n) {
    _mm256_maskstore_ps(p, tail_mask8(n), a.lo);
    if (n > 8) _mm256_maskstore_ps(p + 8, tail_mask8(n - 8), a.hi);
}
static inline V zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
static inline V set1(float x) { return {_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
static inline V add(V a, V b) { return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; }
static inline V sub(V a, V b) { return {_mm256_sub_ps(a.lo, b.lo), _mm256_sub_ps(a.hi, b.hi)}; }
static inline V mul(V a, V b) { return {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)}; }
static inline V div(V a, V b) { return {_mm256_div_ps(a.lo, b.lo), _mm256_div_ps(a.hi, b.hi)}; }
static inline V fmadd(V a, V b, V c) { return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)}; }
static inline V fnmadd(V a, V b, V c) { return {_mm256_fnmadd_ps(a.lo, b.lo, c.lo), _mm256_fnmadd_ps(a.hi, b.hi, c.hi)}; }
static inline V vmin(V a, V b) { return {_mm256_min_ps(a.lo, b.lo), _mm256_min_ps(a.hi, b.hi)}; }
static inline V vmax(V a, V b) { return {_mm256_max_ps(a.lo, b.lo), _mm256_max_ps(a.hi, b.hi)}; }
static inline Mask gt(V a, V b) { return {_mm256_cmp_ps(a.lo, b.lo, _CMP_GT_OQ), _mm256_cmp_ps(a.hi, b.hi, _CMP_GT_OQ)}; }
static inline V select(Mask m, V a, V b) {  // m ? a : b
    return {_mm256_blendv_ps(b.lo, a.lo, m.lo), _mm256_blendv_ps(b.hi, a.hi, m.hi)};
}
static inline float hsum8(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline float hsum(V a) { return hsum8(_mm256_add_ps(a.lo, a.hi)); }

// 2^n * p(f): p is a degree-6 minimax polynomial for 2^f on [-0.5, 0.5]; n (an integer-valued float
// in [-150, 129]) is applied as two factors 2^(n>>1) * 2^(n - (n>>1)), each a normal float, so results
// down into the denormals are right and n = 128 overflows to inf as it should.
static inline __m256 pow2_parts8(__m256 n, __m256 f) {
    __m256 p = _mm256_set1_ps(1.5345812426e-4f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.3399930904e-3f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.6184890717e-3f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.5503286421e-2f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.4022646248e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.9314718246e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
    const __m256i ni = _mm256_cvtps_epi32(n), bias = _mm256_set1_epi32(127);
    const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    p = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23)));
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23)));
}

// 2^u (callers fold log2(e) into A); clamped to [-150, 129], NaN passes through.
static inline __m256 exp2_8(__m256 u) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 x = _mm256_min_ps(_mm256_set1_ps(129.0f), _mm256_max_ps(_mm256_set1_ps(-150.0f), u));
    __m256 n = _mm256_sub_ps(_mm256_add_ps(x, magic), magic);
    return pow2_parts8(n, _mm256_sub_ps(x, n));
}
static inline V vexp2(V u) { return {exp2_8(u.lo), exp2_8(u.hi)}; }

// e^x, accurate to ~1e-7 relative: x log2(e) is split exactly (FMA) before the reduction.
static inline __m256 exp8(__m256 xin) {
    const __m256 magic = _mm256_set1_ps(12582912.0f), l2e = _mm256_set1_ps(1.44269502163f);
    __m256 x = _mm256_min_ps(_mm256_set1_ps(89.5f), _mm256_max_ps(_mm256_set1_ps(-104.0f), xin));
    __m256 hi = _mm256_mul_ps(x, l2e);
    __m256 lo = _mm256_fmsub_ps(x, l2e, hi);
    lo = _mm256_fmadd_ps(x, _mm256_set1_ps(1.9259629891e-8f), lo);
    __m256 n = _mm256_sub_ps(_mm256_add_ps(hi, magic), magic);
    return pow2_parts8(n, _mm256_add_ps(_mm256_sub_ps(hi, n), lo));
}
static inline V vexp(V x) { return {exp8(x.lo), exp8(x.hi)}; }

// log(x) on 8 lanes for finite x >= FLT_MIN.
static inline __m256 log8(__m256 x) {
    __m256i i = _mm256_castps_si256(x);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(i, 23), _mm256_set1_epi32(127)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(i, _mm256_set1_epi32(0x007fffff)),
                                                   _mm256_set1_epi32(0x3f800000)));  // [1, 2)
    __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_add_ps(e, _mm256_and_ps(big, _mm256_set1_ps(1.0f)));
    __m256 f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f));
    __m256 z = _mm256_mul_ps(f, f);
    __m256 p = _mm256_set1_ps(7.0376836292e-2f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.1514610310e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.1676998740e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.2420140846e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.4249322787e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.6668057665e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.0000714765e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-2.4999993993e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(3.3333331174e-1f));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
    __m256 r = _mm256_add_ps(f, y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), r);
}
static inline V vlog(V x) { return {log8(x.lo), log8(x.hi)}; }

static inline void transpose8(__m256* r) {
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int c = 0; c < 4; ++c) {
        r[c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x31);
    }
}

// In-place transpose of the 16x16 block r[row][lane]: four 8x8 transposes, the off-diagonal ones swapped.
static inline void transpose16(V* r) {
    __m256 a[8], b[8], c[8], d[8];
    for (int i = 0; i < 8; ++i) {
        a[i] = r[i].lo;
        b[i] = r[i].hi;
        c[i] = r[8 + i].lo;
        d[i] = r[8 + i].hi;
    }
    transpose8(a);
    transpose8(b);
    transpose8(c);
    transpose8(d);
    for (int i = 0; i < 8; ++i) {
        r[i].lo = a[i];
        r[i].hi = c[i];
        r[8 + i].lo = b[i];
        r[8 + i].hi = d[i];
    }
}

// out[i] = sum of the 8 floats of each of v[0..7], written as one vector.
static inline __m256 reduce8(const __m256* v) {
    __m256 s01 = _mm256_hadd_ps(v[0], v[1]), s23 = _mm256_hadd_ps(v[2], v[3]);
    __m256 s45 = _mm256_hadd_ps(v[4], v[5]), s67 = _mm256_hadd_ps(v[6], v[7]);
    __m256 s0123 = _mm256_hadd_ps(s01, s23), s4567 = _mm256_hadd_ps(s45, s67);
    return _mm256_add_ps(_mm256_permute2f128_ps(s0123, s4567, 0x20), _mm256_permute2f128_ps(s0123, s4567, 0x31));
}

// out[i] = sum of the 16 floats of vector i, for the 16 vectors stored at vecs (256 floats).
static inline void reduce16(const float* vecs, float* out) {
    __m256 f[16];
    for (int i = 0; i < 16; ++i) f[i] = _mm256_add_ps(_mm256_loadu_ps(vecs + 16 * i), _mm256_loadu_ps(vecs + 16 * i + 8));
    _mm256_storeu_ps(out, reduce8(f));
    _mm256_storeu_ps(out + 8, reduce8(f + 8));
}
