// kernels.inl — the scan kernels, written once against the 16-lane vector V of simd/<isa>.h and compiled
// once per instruction set (kernels_scalar.cpp, kernels_avx2.cpp, kernels_avx512.cpp), each inside its own
// namespace so that no inline function compiled for AVX-512 can be chosen by the linker for another path.
//
// Layout: an item's 16 channels are the 16 lanes of V ("vectorized over channels"): h for one state index n
// is one vector, so y = C·h and every sum over n in the backward are plain vector adds, no horizontal sums,
// and any N costs the same per element. Only dB/dC (sums over channels) need a horizontal reduction, done
// 16 state indices at a time (reduce16). u, delta, z, dout, out and the gradients are transposed per
// 16x16 tile into (t, lane) scratch; B and C are read in place, one broadcast per (t, n).
//
// Needs from the including file: <cstdint>, <cstring>, <math.h>, scan.h, V and its functions.

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// softplus(x) = log1p(exp(x)), x > 20 -> x (as PyTorch). log1p(e) = log(u) - ((u - 1) - e) / u, u = 1 + e,
// is exact to rounding for every e >= 0 (Goldberg's log1p trick); when u == 1 it gives e.
static inline V softplus_v(V x, V* sig) {
    const V one = set1(1.0f), thr = set1(20.0f);
    Mask big = gt(x, thr);
    V e = vexp(vmin(x, thr));
    V u = add(one, e);
    V l = sub(vlog(u), div(sub(sub(u, one), e), u));
    if (sig) *sig = select(big, one, div(e, u));  // d softplus / dx = sigmoid(x); 1 above the threshold
    return select(big, x, l);
}

static inline V sigmoid_v(V x) {
    const V one = set1(1.0f);
    return div(one, add(one, vexp(sub(zero(), x))));
}

// dst[t * ld + r] = row_r[t] for t < len, r < 16; rows >= w are 0. Rows start at base, row stride rs.
static void gather_rows(const float* base, int64_t rs, int w, int64_t len, float* dst, int64_t ld) {
    int64_t t = 0;
    for (; t + 16 <= len; t += 16) {
        V r[16];
        for (int l = 0; l < 16; ++l) r[l] = l < w ? load(base + l * rs + t) : zero();
        transpose16(r);
        for (int i = 0; i < 16; ++i) store(dst + (t + i) * ld, r[i]);
    }
    for (; t < len; ++t)
        for (int l = 0; l < 16; ++l) dst[t * ld + l] = l < w ? base[l * rs + t] : 0.0f;
}

// row_r[t] = src[t * 16 + r] for rows r < w, t < len.
static void scatter_rows(const float* src, float* base, int64_t rs, int w, int64_t len) {
    int64_t t = 0;
    for (; t + 16 <= len; t += 16) {
        V r[16];
        for (int i = 0; i < 16; ++i) r[i] = load(src + (t + i) * 16);
        transpose16(r);
        for (int l = 0; l < w; ++l) store(base + l * rs + t, r[l]);
    }
    for (; t < len; ++t)
        for (int l = 0; l < w; ++l) base[l * rs + t] = src[t * 16 + l];
}

// B or C of one chunk, (N, len) rows of stride rs, to (len, Np): a contiguous broadcast per (t, n) in the
// hot loop. (Read in place, the N rows are often 2^k floats apart and all fall into one L1 set.)
static void gather_states(const float* base, int64_t rs, int64_t N, int64_t len, float* dst, int64_t Np) {
    for (int64_t n0 = 0; n0 < N; n0 += 16)
        gather_rows(base + n0 * rs, rs, (int)min64(16, N - n0), len, dst + n0, Np);
}

// Warm the caches for rows [t0, t0 + len) that the next chunk will read (or, write = 1, write).
template <int write = 0>
static inline void prefetch_rows(const float* base, int64_t rs, int64_t rows, int64_t len) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t t = 0; t < len; t += 16) __builtin_prefetch(base + r * rs + t, write, 2);
}

// One thread's scratch for one chunk of one item (floats; every part a multiple of 16 = 64 bytes).
struct Scratch {
    float *U, *DT, *SIG, *Z, *DY, *DU, *DDT, *DZ, *Y;  // (chunk, 16)
    float *BT, *CT;                                     // (chunk, Np)
    float *TB, *TC, *DAc, *Av, *A2, *Hs;                // (Np, 16)
    float *Dv, *biasv;                                  // 16
    float *H, *EA;  // backward: (chunk + 1, Np, 16) states, H[0] entering the chunk; (chunk, Np, 16) exp(dt A)
};

static int64_t scratch_floats(const Problem& P) {
    const int64_t C = P.chunk, Np = P.Npad;
    return 9 * C * 16 + 2 * C * Np + 7 * Np * 16 + 32 + (C + 1) * Np * 16 + C * Np * 16;
}

static Scratch carve(float* tb, const Problem& P) {
    const int64_t C = P.chunk, Np = P.Npad;
    Scratch s;
    float* q = tb;
    auto take = [&](int64_t n) { float* r = q; q += n; return r; };
    s.U = take(C * 16), s.DT = take(C * 16), s.SIG = take(C * 16), s.Z = take(C * 16), s.DY = take(C * 16);
    s.DU = take(C * 16), s.DDT = take(C * 16), s.DZ = take(C * 16), s.Y = take(C * 16);
    s.BT = take(C * Np), s.CT = take(C * Np);
    s.TB = take(Np * 16), s.TC = take(Np * 16), s.DAc = take(Np * 16), s.Av = take(Np * 16), s.A2 = take(Np * 16);
    s.Hs = take(Np * 16);
    take(Np * 16);  // spare, keeps the parts below 64-byte aligned
    s.Dv = take(16), s.biasv = take(16);
    s.H = take((C + 1) * Np * 16), s.EA = take(C * Np * 16);
    return s;
}

// Per-lane constants of an item: A transposed to (n, lane) and A log2(e) (for exp2), D and delta_bias
// per lane; 0 on padding lanes.
static void load_lane_constants(const gm_scan_params& p, const Problem& P, const Item& it, Scratch& s) {
    for (int64_t n = 0; n < P.N; ++n)
        for (int l = 0; l < 16; ++l) {
            const float a = l < it.w ? p.A[(it.d0 + l) * p.A_dim_stride + n] : 0.0f;
            s.Av[n * 16 + l] = a;
            s.A2[n * 16 + l] = (float)((double)a * 1.4426950408889634);
        }
    for (int l = 0; l < 16; ++l) {
        s.Dv[l] = (p.D_skip && l < it.w) ? p.D_skip[it.d0 + l] : 0.0f;
        s.biasv[l] = (p.delta_bias && l < it.w) ? p.delta_bias[it.d0 + l] : 0.0f;
    }
}

// DT[t] = softplus(delta + bias) or delta + bias, in place; SIG[t] = d softplus / dx when wanted.
static void prepare_delta(const gm_scan_params& p, float* DT, float* SIG, const float* biasv, int64_t len) {
    const V bias = load(biasv);
    for (int64_t t = 0; t < len; ++t) {
        V x = add(load(DT + t * 16), bias);
        if (p.delta_softplus) {
            V s;
            x = softplus_v(x, SIG ? &s : nullptr);
            if (SIG) store(SIG + t * 16, s);
        }
        store(DT + t * 16, x);
    }
}

// State (N, lane) <-> (channel, N) rows of a (.., N) tensor with channel stride ds.
static void load_state(const float* src, int64_t ds, int w, int64_t N, float* H) {
    for (int64_t n = 0; n < N; ++n)
        for (int l = 0; l < 16; ++l) H[n * 16 + l] = (src && l < w) ? src[l * ds + n] : 0.0f;
}
static void save_state(const float* H, int w, int64_t N, float* dst, int64_t ds) {
    for (int l = 0; l < w; ++l)
        for (int64_t n = 0; n < N; ++n) dst[l * ds + n] = H[n * 16 + l];
}

// The recurrence over one chunk:  h_n = 2^(dt A2_n) h_n + dt u B_tn,  Y[t] = sum_n C_tn h_n (no D term).
// Forward (Hall null): H is the state (N, lane), updated in place. Backward: Hall[0] is the state entering
// the chunk, Hall[t + 1] = h_t is kept for the walk back, and EA[t] = exp(dt A) too.
static inline void recur_chunk(const Scratch& s, int64_t N, int64_t Np, int64_t len, float* Hall, float* EA) {
    float* H = s.Hs;
    for (int64_t t = 0; t < len; ++t) {
        const V dt = load(s.DT + t * 16);
        const V dtu = mul(dt, load(s.U + t * 16));
        const float* bt = s.BT + t * Np;
        const float* ct = s.CT + t * Np;
        float* hout = Hall ? Hall + (t + 1) * Np * 16 : H;
        const float* hin = Hall ? Hall + t * Np * 16 : H;
        float* ea = EA ? EA + t * Np * 16 : nullptr;
        V y0 = zero(), y1 = zero();
        int64_t n = 0;
        for (; n + 2 <= N; n += 2) {
            const V a0 = vexp2(mul(dt, load(s.A2 + n * 16)));
            const V a1 = vexp2(mul(dt, load(s.A2 + n * 16 + 16)));
            const V h0 = fmadd(a0, load(hin + n * 16), mul(dtu, set1(bt[n])));
            const V h1 = fmadd(a1, load(hin + n * 16 + 16), mul(dtu, set1(bt[n + 1])));
            store(hout + n * 16, h0);
            store(hout + n * 16 + 16, h1);
            if (ea) {
                store(ea + n * 16, a0);
                store(ea + n * 16 + 16, a1);
            }
            y0 = fmadd(h0, set1(ct[n]), y0);
            y1 = fmadd(h1, set1(ct[n + 1]), y1);
        }
        if (n < N) {
            const V a0 = vexp2(mul(dt, load(s.A2 + n * 16)));
            const V h0 = fmadd(a0, load(hin + n * 16), mul(dtu, set1(bt[n])));
            store(hout + n * 16, h0);
            if (ea) store(ea + n * 16, a0);
            y0 = fmadd(h0, set1(ct[n]), y0);
        }
        store(s.Y + t * 16, add(y0, y1));
    }
}

// ---- forward ----------------------------------------------------------------------------------------

static void fwd_item(const Problem& P, int64_t item, float* tb) {
    const gm_scan_params& p = *P.p;
    const Item it = item_of(P, item);
    const int64_t C = P.chunk, N = P.N, Np = P.Npad;
    Scratch s = carve(tb, P);

    load_lane_constants(p, P, it, s);
    load_state(p.h0 ? p.h0 + it.b * p.h0_batch_stride + it.d0 * p.h0_dim_stride : nullptr, p.h0_dim_stride, it.w, N,
               s.Hs);
    const V Dvec = load(s.Dv);
    const float* ub = p.u + it.b * p.u_batch_stride + it.d0 * p.u_dim_stride;
    const float* db = p.delta + it.b * p.delta_batch_stride + it.d0 * p.delta_dim_stride;
    const float* zb = p.z ? p.z + it.b * p.z_batch_stride + it.d0 * p.z_dim_stride : nullptr;
    float* ob = p.out + it.b * p.out_batch_stride + it.d0 * p.out_dim_stride;
    const float* Bb = p.Bmat + it.b * p.B_batch_stride + it.g * p.B_group_stride;
    const float* Cb = p.Cmat + it.b * p.C_batch_stride + it.g * p.C_group_stride;
    float* cs = p.chunk_states + ((it.b * P.D + it.d0) * P.n_chunks) * N;  // channel stride n_chunks * N

    for (int64_t k = 0; k < P.n_chunks; ++k) {
        const int64_t t0 = k * C, len = min64(C, P.L - t0);
        if (k + 1 < P.n_chunks) {
            const int64_t t1 = t0 + C, len1 = min64(C, P.L - t1);
            prefetch_rows(ub + t1, p.u_dim_stride, it.w, len1);
            prefetch_rows(db + t1, p.delta_dim_stride, it.w, len1);
            if (zb) prefetch_rows(zb + t1, p.z_dim_stride, it.w, len1);
            prefetch_rows(Bb + t1, p.B_state_stride, N, len1);
            prefetch_rows(Cb + t1, p.C_state_stride, N, len1);
            prefetch_rows<1>(ob + t1, p.out_dim_stride, it.w, len1);
        }
        save_state(s.Hs, it.w, N, cs + k * N, P.n_chunks * N);
        gather_rows(ub + t0, p.u_dim_stride, it.w, len, s.U, 16);
        gather_rows(db + t0, p.delta_dim_stride, it.w, len, s.DT, 16);
        prepare_delta(p, s.DT, nullptr, s.biasv, len);
        gather_states(Bb + t0, p.B_state_stride, N, len, s.BT, Np);
        gather_states(Cb + t0, p.C_state_stride, N, len, s.CT, Np);
        recur_chunk(s, N, Np, len, nullptr, nullptr);
        float* Y = s.Y;
        if (zb) {
            gather_rows(zb + t0, p.z_dim_stride, it.w, len, s.Z, 16);
            for (int64_t t = 0; t < len; ++t) {
                V z = load(s.Z + t * 16);
                V y = fmadd(Dvec, load(s.U + t * 16), load(Y + t * 16));
                store(Y + t * 16, mul(y, mul(z, sigmoid_v(z))));
            }
        } else if (p.D_skip) {
            for (int64_t t = 0; t < len; ++t) store(Y + t * 16, fmadd(Dvec, load(s.U + t * 16), load(Y + t * 16)));
        }
        scatter_rows(Y, ob + t0, p.out_dim_stride, it.w, len);
    }
    if (p.final_state)
        save_state(s.Hs, it.w, N, p.final_state + it.b * p.final_state_batch_stride + it.d0 * p.final_state_dim_stride,
                   p.final_state_dim_stride);
}

// ---- backward ---------------------------------------------------------------------------------------

static void bwd_item_chunk(const Problem& P, int64_t item, int64_t k, ItemState& st, float* tb, float* partial) {
    const gm_scan_params& p = *P.p;
    const Item it = item_of(P, item);
    const int64_t C = P.chunk, N = P.N, Np = P.Npad;
    const int64_t t0 = k * C, len = min64(C, P.L - t0);
    Scratch s = carve(tb, P);

    load_lane_constants(p, P, it, s);
    std::memset(s.TB, 0, sizeof(float) * 3 * Np * 16);  // TB, TC (rows >= N stay 0 for reduce16), DAc
    if (k == P.n_chunks - 1) {
        const float* df = p.dfinal_state ? p.dfinal_state + it.b * p.dfinal_state_batch_stride +
                                               it.d0 * p.dfinal_state_dim_stride
                                         : nullptr;
        load_state(df, p.dfinal_state_dim_stride, it.w, N, st.dh);
    }

    // Inputs of the chunk, and its states recomputed from the saved boundary state.
    const float* ub = p.u + it.b * p.u_batch_stride + it.d0 * p.u_dim_stride;
    const float* db = p.delta + it.b * p.delta_batch_stride + it.d0 * p.delta_dim_stride;
    const float* gb = p.dout + it.b * p.dout_batch_stride + it.d0 * p.dout_dim_stride;
    const float* zb = p.z ? p.z + it.b * p.z_batch_stride + it.d0 * p.z_dim_stride : nullptr;
    const float* Bb = p.Bmat + it.b * p.B_batch_stride + it.g * p.B_group_stride;
    const float* Cb = p.Cmat + it.b * p.C_batch_stride + it.g * p.C_group_stride;
    load_state(p.chunk_states + ((it.b * P.D + it.d0) * P.n_chunks + k) * N, P.n_chunks * N, it.w, N, s.H);
    gather_rows(ub + t0, p.u_dim_stride, it.w, len, s.U, 16);
    gather_rows(db + t0, p.delta_dim_stride, it.w, len, s.DT, 16);
    prepare_delta(p, s.DT, s.SIG, s.biasv, len);
    gather_rows(gb + t0, p.dout_dim_stride, it.w, len, s.DY, 16);
    gather_states(Bb + t0, p.B_state_stride, N, len, s.BT, Np);
    gather_states(Cb + t0, p.C_state_stride, N, len, s.CT, Np);
    recur_chunk(s, N, Np, len, s.H, s.EA);

    // Through the gate and the skip: dL/dy, dz, du's skip part, dD.
    const V Dvec = load(s.Dv);
    V dDacc = zero();
    if (zb) {
        gather_rows(zb + t0, p.z_dim_stride, it.w, len, s.Z, 16);
        const V one = set1(1.0f);
        for (int64_t t = 0; t < len; ++t) {
            V u = load(s.U + t * 16), z = load(s.Z + t * 16), dout = load(s.DY + t * 16);
            V y = fmadd(Dvec, u, load(s.Y + t * 16));
            V sz = sigmoid_v(z);
            V dsilu = mul(sz, fmadd(z, sub(one, sz), one));  // d(z sigmoid z)/dz = s (1 + z (1 - s))
            store(s.DZ + t * 16, mul(mul(dout, y), dsilu));
            V dy = mul(dout, mul(z, sz));
            store(s.DY + t * 16, dy);
            store(s.DU + t * 16, mul(dy, Dvec));
            dDacc = fmadd(dy, u, dDacc);
        }
    } else {
        for (int64_t t = 0; t < len; ++t) {
            V dy = load(s.DY + t * 16);
            store(s.DU + t * 16, mul(dy, Dvec));
            dDacc = fmadd(dy, load(s.U + t * 16), dDacc);
        }
    }

    // Walk the chunk backwards. dh holds dL/dh_t without the C_t y_t term until that is added.
    float* dh = st.dh;
    float* partB = partial;
    float* partC = partial + C * Np;
    V dbias = zero();
    for (int64_t t = len - 1; t >= 0; --t) {
        const V dy = load(s.DY + t * 16), dt = load(s.DT + t * 16), u = load(s.U + t * 16);
        const V dtu = mul(dt, u);
        const float* hcur = s.H + (t + 1) * Np * 16;
        const float* hprev = s.H + t * Np * 16;
        const float* ea = s.EA + t * Np * 16;
        const float* bt = s.BT + t * Np;
        const float* ct = s.CT + t * Np;
        V sB = zero(), sA = zero();
        for (int64_t n = 0; n < N; ++n) {
            const V a = load(ea + n * 16);
            const V dhn = fmadd(dy, set1(ct[n]), load(dh + n * 16));
            store(s.TC + n * 16, mul(dy, load(hcur + n * 16)));
            store(s.TB + n * 16, mul(dhn, dtu));
            sB = fmadd(dhn, set1(bt[n]), sB);
            const V dha = mul(dhn, a);
            const V da = mul(dha, load(hprev + n * 16));  // dL/d(dt A_n)
            store(s.DAc + n * 16, fmadd(da, dt, load(s.DAc + n * 16)));
            sA = fmadd(da, load(s.Av + n * 16), sA);
            store(dh + n * 16, dha);
        }
        V ddt = fmadd(u, sB, sA);
        store(s.DU + t * 16, fmadd(dt, sB, load(s.DU + t * 16)));
        if (p.delta_softplus) ddt = mul(ddt, load(s.SIG + t * 16));
        store(s.DDT + t * 16, ddt);
        dbias = add(dbias, ddt);
        for (int64_t g = 0; g < Np; g += 16) {
            reduce16(s.TB + g * 16, partB + t * Np + g);
            reduce16(s.TC + g * 16, partC + t * Np + g);
        }
    }

    scatter_rows(s.DU, p.du + it.b * p.du_batch_stride + it.d0 * p.du_dim_stride + t0, p.du_dim_stride, it.w, len);
    scatter_rows(s.DDT, p.ddelta + it.b * p.ddelta_batch_stride + it.d0 * p.ddelta_dim_stride + t0,
                 p.ddelta_dim_stride, it.w, len);
    if (zb)
        scatter_rows(s.DZ, p.dz + it.b * p.dz_batch_stride + it.d0 * p.dz_dim_stride + t0, p.dz_dim_stride, it.w,
                     len);

    // Chunk sums into the item's double accumulators (fp32 within a chunk, fp64 across chunks).
    for (int64_t i = 0; i < N * 16; ++i) st.dA[i] += s.DAc[i];
    float tmp[16];
    store(tmp, dDacc);
    for (int l = 0; l < 16; ++l) st.dD[l] += tmp[l];
    store(tmp, dbias);
    for (int l = 0; l < 16; ++l) st.dbias[l] += tmp[l];

    if (k == 0 && p.dh0)
        save_state(dh, it.w, N, p.dh0 + it.b * p.dh0_batch_stride + it.d0 * p.dh0_dim_stride, p.dh0_dim_stride);
}

// ---- recurrent step ---------------------------------------------------------------------------------

// Channels [d_begin, d_end) of batch element b, one at a time, vectorized over N (every tensor is N-contiguous).
static void step_range(const gm_step_params* p, int64_t b, int64_t d_begin, int64_t d_end) {
    const int64_t N = p->dstate, Dg = p->dim / p->n_groups;
    for (int64_t d = d_begin; d < d_end; ++d) {
        const int64_t g = d / Dg;
        float x = p->delta[b * p->delta_batch_stride + d] + (p->delta_bias ? p->delta_bias[d] : 0.0f);
        const float dt = p->delta_softplus ? (x > 20.0f ? x : log1pf(expf(x))) : x;
        const float u = p->u[b * p->u_batch_stride + d];
        const V vdt = set1(dt), vdtu = set1(dt * u);
        const float* A = p->A + d * p->A_dim_stride;
        const float* Bv = p->Bmat + b * p->B_batch_stride + g * p->B_group_stride;
        const float* Cv = p->Cmat + b * p->C_batch_stride + g * p->C_group_stride;
        float* h = p->state + b * p->state_batch_stride + d * p->state_dim_stride;
        V yv = zero();
        for (int64_t n = 0; n < N; n += 16) {
            const int c = (int)min64(16, N - n);
            V a = vexp(mul(vdt, load_n(A + n, c)));
            V hn = fmadd(a, load_n(h + n, c), mul(vdtu, load_n(Bv + n, c)));
            store_n(h + n, hn, c);
            yv = fmadd(hn, load_n(Cv + n, c), yv);
        }
        float y = hsum(yv) + (p->D_skip ? p->D_skip[d] * u : 0.0f);
        if (p->z) {
            const float z = p->z[b * p->z_batch_stride + d];
            y *= z / (1.0f + expf(-z));
        }
        p->out[b * p->out_batch_stride + d] = y;
    }
}

// ---- test hooks -------------------------------------------------------------------------------------

static void exp_array(const float* x, float* y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) store(y + i, vexp(load(x + i)));
    if (i < n) store_n(y + i, vexp(load_n(x + i, (int)(n - i))), (int)(n - i));
}

static void exp2_array(const float* x, float* y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) store(y + i, vexp2(load(x + i)));
    if (i < n) store_n(y + i, vexp2(load_n(x + i, (int)(n - i))), (int)(n - i));
}

static void reduce_lanes(const float* vecs, float* out) { reduce16(vecs, out); }
