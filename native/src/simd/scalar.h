// simd/scalar.h — the portable 16-lane "vector" V: plain float[16] loops (the compiler may use SSE2).
// Included inside namespace gm::scalar by kernels_scalar.cpp. exp/log are the C library's expf/logf.

struct V {
    float v[16];
};
struct Mask {
    bool m[16];
};

#define GM_LANES for (int i = 0; i < 16; ++i)

static inline V load(const float* p) { V r; GM_LANES r.v[i] = p[i]; return r; }
static inline void store(float* p, V a) { GM_LANES p[i] = a.v[i]; }
static inline V load_n(const float* p, int n) { V r; GM_LANES r.v[i] = i < n ? p[i] : 0.0f; return r; }
static inline void store_n(float* p, V a, int n) { for (int i = 0; i < n; ++i) p[i] = a.v[i]; }
static inline V zero() { V r; GM_LANES r.v[i] = 0.0f; return r; }
static inline V set1(float x) { V r; GM_LANES r.v[i] = x; return r; }
static inline V add(V a, V b) { V r; GM_LANES r.v[i] = a.v[i] + b.v[i]; return r; }
static inline V sub(V a, V b) { V r; GM_LANES r.v[i] = a.v[i] - b.v[i]; return r; }
static inline V mul(V a, V b) { V r; GM_LANES r.v[i] = a.v[i] * b.v[i]; return r; }
static inline V div(V a, V b) { V r; GM_LANES r.v[i] = a.v[i] / b.v[i]; return r; }
static inline V fmadd(V a, V b, V c) { V r; GM_LANES r.v[i] = a.v[i] * b.v[i] + c.v[i]; return r; }
static inline V fnmadd(V a, V b, V c) { V r; GM_LANES r.v[i] = c.v[i] - a.v[i] * b.v[i]; return r; }
static inline V vmin(V a, V b) { V r; GM_LANES r.v[i] = a.v[i] < b.v[i] ? a.v[i] : b.v[i]; return r; }
static inline V vmax(V a, V b) { V r; GM_LANES r.v[i] = a.v[i] > b.v[i] ? a.v[i] : b.v[i]; return r; }
static inline Mask gt(V a, V b) { Mask m; GM_LANES m.m[i] = a.v[i] > b.v[i]; return m; }
static inline V select(Mask m, V a, V b) { V r; GM_LANES r.v[i] = m.m[i] ? a.v[i] : b.v[i]; return r; }
static inline float hsum(V a) {
    float s = 0.0f;
    GM_LANES s += a.v[i];
    return s;
}
static inline V vexp(V x) { V r; GM_LANES r.v[i] = expf(x.v[i]); return r; }
static inline V vexp2(V x) { V r; GM_LANES r.v[i] = exp2f(x.v[i]); return r; }
static inline V vlog(V x) { V r; GM_LANES r.v[i] = logf(x.v[i]); return r; }

static inline void transpose16(V* r) {
    for (int i = 0; i < 16; ++i)
        for (int j = i + 1; j < 16; ++j) {
            float t = r[i].v[j];
            r[i].v[j] = r[j].v[i];
            r[j].v[i] = t;
        }
}

static inline void reduce16(const float* vecs, float* out) {
    for (int i = 0; i < 16; ++i) {
        float s = 0.0f;
        for (int l = 0; l < 16; ++l) s += vecs[16 * i + l];
        out[i] = s;
    }
}

#undef GM_LANES
