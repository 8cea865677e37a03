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

// dst[t][lane] = row_lane[t] for t < len, lanes >= w are 0. Rows start at base, row stride rs floats.
static void gather_rows(const float* base, int64_t rs, int w, int64_t len, float* dst) {
    int64_t t = 0;
    for (; t + 16 <= len; t += 16) {
        V r[16];
        for (int l = 0; l < 16; ++l) r[l] = l < w ? load(base + l * rs + t) : zero();
        transpose16(r);
        for (int i = 0; i < 16; ++i) store(dst + (t + i) * 16, r[i]);
    }
    for (; t < len; ++t)
        for (int l = 0; l < 16; ++l) dst[t * 16 + l] = l < w ? base[l * rs + t] : 0.0f;
}

// row_lane[t] = src[t][lane] for lanes < w, t < len.
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

// Per-lane constants of an item: A transposed to (n, lane), D and delta_bias per lane (0 on padding).
static void load_lane_constants(const gm_scan_params& p, const Problem& P, const Item& it, float* Av, float* Dv,
                                float* biasv) {
    for (int64_t n = 0; n < P.N; ++n)
        for (int l = 0; l < 16; ++l) Av[n * 16 + l] = l < it.w ? p.A[(it.d0 + l) * p.A_dim_stride + n] : 0.0f;
    for (int l = 0; l < 16; ++l) {
        Dv[l] = (p.D_skip && l < it.w) ? p.D_skip[it.d0 + l] : 0.0f;
        biasv[l] = (p.delta_bias && l < it.w) ? p.delta_bias[it.d0 + l] : 0.0f;
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

// The recurrence over one chunk. H: state (N, lane) in/out; Hall: when given, h after each step is also
// written to Hall[(t + 1) * Np * 16]; Y[t] = C_t . h_t (no D term).
static inline void recur_chunk(const float* DT, const float* U, const float* Av, const float* Bp, int64_t Bss,
                               const float* Cp, int64_t Css, int64_t N, int64_t len, float* H, float* Hall,
                               int64_t Np, float* Y) {
    for (int64_t t = 0; t < len; ++t) {
        const V dt = load(DT + t * 16);
        const V dtu = mul(dt, load(U + t * 16));
        const float* bp = Bp + t;
        const float* cp = Cp + t;
        float* hout = Hall ? Hall + (t + 1) * Np * 16 : H;
        const float* hin = Hall ? Hall + t * Np * 16 : H;
        V y0 = zero(), y1 = zero();
        int64_t n = 0;
        for (; n + 2 <= N; n += 2) {
            V a0 = vexp(mul(dt, load(Av + n * 16)));
            V a1 = vexp(mul(dt, load(Av + n * 16 + 16)));
            V h0 = fmadd(a0, load(hin + n * 16), mul(dtu, set1(bp[n * Bss])));
            V h1 = fmadd(a1, load(hin + n * 16 + 16), mul(dtu, set1(bp[(n + 1) * Bss])));
            store(hout + n * 16, h0);
            store(hout + n * 16 + 16, h1);
            y0 = fmadd(h0, set1(cp[n * Css]), y0);
            y1 = fmadd(h1, set1(cp[(n + 1) * Css]), y1);
        }
        if (n < N) {
            V a0 = vexp(mul(dt, load(Av + n * 16)));
            V h0 = fmadd(a0, load(hin + n * 16), mul(dtu, set1(bp[n * Bss])));
            store(hout + n * 16, h0);
            y0 = fmadd(h0, set1(cp[n * Css]), y0);
        }
        store(Y + t * 16, add(y0, y1));
    }
}

// ---- forward ----------------------------------------------------------------------------------------

static void fwd_item(const Problem& P, int64_t item, float* tb) {
    const gm_scan_params& p = *P.p;
    const Item it = item_of(P, item);
    const int64_t C = P.chunk, N = P.N, Np = P.Npad;
    float* U = tb;
    float* DT = U + C * 16;
    float* Z = DT + C * 16;
    float* Y = Z + C * 16;
    float* H = Y + C * 16;    // (Np, 16)
    float* Av = H + Np * 16;  // (Np, 16)
    float* Dv = Av + Np * 16; // 16
    float* biasv = Dv + 16;   // 16

    load_lane_constants(p, P, it, Av, Dv, biasv);
    load_state(p.h0 ? p.h0 + it.b * p.h0_batch_stride + it.d0 * p.h0_dim_stride : nullptr, p.h0_dim_stride, it.w, N,
               H);
    const V Dvec = load(Dv);
    const float* ub = p.u + it.b * p.u_batch_stride + it.d0 * p.u_dim_stride;
    const float* db = p.delta + it.b * p.delta_batch_stride + it.d0 * p.delta_dim_stride;
    const float* zb = p.z ? p.z + it.b * p.z_batch_stride + it.d0 * p.z_dim_stride : nullptr;
    float* ob = p.out + it.b * p.out_batch_stride + it.d0 * p.out_dim_stride;
    const float* Bb = p.Bmat + it.b * p.B_batch_stride + it.g * p.B_group_stride;
    const float* Cb = p.Cmat + it.b * p.C_batch_stride + it.g * p.C_group_stride;
    float* cs = p.chunk_states + ((it.b * P.D + it.d0) * P.n_chunks) * N;  // channel stride n_chunks * N

    for (int64_t k = 0; k < P.n_chunks; ++k) {
        const int64_t t0 = k * C, len = min64(C, P.L - t0);
        save_state(H, it.w, N, cs + k * N, P.n_chunks * N);
        gather_rows(ub + t0, p.u_dim_stride, it.w, len, U);
        gather_rows(db + t0, p.delta_dim_stride, it.w, len, DT);
        prepare_delta(p, DT, nullptr, biasv, len);
        recur_chunk(DT, U, Av, Bb + t0, p.B_state_stride, Cb + t0, p.C_state_stride, N, len, H, nullptr, Np, Y);
        if (zb) {
            gather_rows(zb + t0, p.z_dim_stride, it.w, len, Z);
            for (int64_t t = 0; t < len; ++t) {
                V z = load(Z + t * 16);
                V y = fmadd(Dvec, load(U + t * 16), load(Y + t * 16));
                store(Y + t * 16, mul(y, mul(z, sigmoid_v(z))));
            }
        } else if (p.D_skip) {
            for (int64_t t = 0; t < len; ++t) store(Y + t * 16, fmadd(Dvec, load(U + t * 16), load(Y + t * 16)));
        }
        scatter_rows(Y, ob + t0, p.out_dim_stride, it.w, len);
    }
    if (p.final_state)
        save_state(H, it.w, N, p.final_state + it.b * p.final_state_batch_stride + it.d0 * p.final_state_dim_stride,
                   p.final_state_dim_stride);
}

// ---- backward ---------------------------------------------------------------------------------------

static void bwd_item_chunk(const Problem& P, int64_t item, int64_t k, ItemState& st, float* tb, float* partial) {
    const gm_scan_params& p = *P.p;
    const Item it = item_of(P, item);
    const int64_t C = P.chunk, N = P.N, Np = P.Npad;
    const int64_t t0 = k * C, len = min64(C, P.L - t0);
    float* U = tb;
    float* DT = U + C * 16;
    float* SIG = DT + C * 16;
    float* Z = SIG + C * 16;
    float* DY = Z + C * 16;     // dout, then dL/dy
    float* DU = DY + C * 16;
    float* DDT = DU + C * 16;
    float* DZ = DDT + C * 16;
    float* Y = DZ + C * 16;
    float* TB = Y + C * 16;     // (Np, 16) per-t dB terms before the lane sum; rows >= N stay 0
    float* TC = TB + Np * 16;   // (Np, 16) dC terms
    float* DAc = TC + Np * 16;  // (Np, 16) this chunk's dA sums
    float* Av = DAc + Np * 16;  // (Np, 16)
    float* Dv = Av + Np * 16;   // 16
    float* biasv = Dv + 16;     // 16
    float* H = biasv + 16;      // (C + 1, Np, 16): H[0] = state entering the chunk, H[t + 1] = h_t

    load_lane_constants(p, P, it, Av, Dv, biasv);
    std::memset(TB, 0, sizeof(float) * 3 * Np * 16);
    if (k == P.n_chunks - 1) {
        const float* df = p.dfinal_state ? p.dfinal_state + it.b * p.dfinal_state_batch_stride +
                                               it.d0 * p.dfinal_state_dim_stride
                                         : nullptr;
        load_state(df, p.dfinal_state_dim_stride, it.w, N, st.dh);
    }

    // Inputs of the chunk, and its states recomputed from the saved boundary state.
    const float* cs = p.chunk_states + ((it.b * P.D + it.d0) * P.n_chunks + k) * N;
    load_state(cs, P.n_chunks * N, it.w, N, H);
    gather_rows(p.u + it.b * p.u_batch_stride + it.d0 * p.u_dim_stride + t0, p.u_dim_stride, it.w, len, U);
    gather_rows(p.delta + it.b * p.delta_batch_stride + it.d0 * p.delta_dim_stride + t0, p.delta_dim_stride, it.w,
                len, DT);
    prepare_delta(p, DT, SIG, biasv, len);
    gather_rows(p.dout + it.b * p.dout_batch_stride + it.d0 * p.dout_dim_stride + t0, p.dout_dim_stride, it.w, len,
                DY);
    const float* Bp = p.Bmat + it.b * p.B_batch_stride + it.g * p.B_group_stride + t0;
    const float* Cp = p.Cmat + it.b * p.C_batch_stride + it.g * p.C_group_stride + t0;
    const int64_t Bss = p.B_state_stride, Css = p.C_state_stride;
    recur_chunk(DT, U, Av, Bp, Bss, Cp, Css, N, len, nullptr, H, Np, Y);

    // Through the gate and the skip: dL/dy, dz, du's skip part, dD.
    const V Dvec = load(Dv);
    V dDacc = zero();
    if (p.z) {
        gather_rows(p.z + it.b * p.z_batch_stride + it.d0 * p.z_dim_stride + t0, p.z_dim_stride, it.w, len, Z);
        const V one = set1(1.0f);
        for (int64_t t = 0; t < len; ++t) {
            V u = load(U + t * 16), z = load(Z + t * 16), dout = load(DY + t * 16);
            V y = fmadd(Dvec, u, load(Y + t * 16));
            V sz = sigmoid_v(z);
            V dsilu = mul(sz, fmadd(z, sub(one, sz), one));  // d(z sigmoid z)/dz = s (1 + z (1 - s))
            store(DZ + t * 16, mul(mul(dout, y), dsilu));
            V dy = mul(dout, mul(z, sz));
            store(DY + t * 16, dy);
            store(DU + t * 16, mul(dy, Dvec));
            dDacc = fmadd(dy, u, dDacc);
        }
    } else {
        for (int64_t t = 0; t < len; ++t) {
            V dy = load(DY + t * 16);
            store(DU + t * 16, mul(dy, Dvec));
            dDacc = fmadd(dy, load(U + t * 16), dDacc);
        }
    }

    // Walk the chunk backwards. dh holds dL/dh_t excluding the C_t y_t term until that is added.
    float* dh = st.dh;
    float* partB = partial;
    float* partC = partial + C * Np;
    V dbias = zero();
    for (int64_t t = len - 1; t >= 0; --t) {
        const V dy = load(DY + t * 16), dt = load(DT + t * 16), u = load(U + t * 16);
        const V dtu = mul(dt, u);
        const float* hcur = H + (t + 1) * Np * 16;
        const float* hprev = H + t * Np * 16;
        const float* bp = Bp + t;
        const float* cp = Cp + t;
        V sB = zero(), sA = zero();
        for (int64_t n = 0; n < N; ++n) {
            const V An = load(Av + n * 16);
            const V a = vexp(mul(dt, An));
            const V dhn = fmadd(dy, set1(cp[n * Css]), load(dh + n * 16));
            store(TC + n * 16, mul(dy, load(hcur + n * 16)));
            store(TB + n * 16, mul(dhn, dtu));
            sB = fmadd(dhn, set1(bp[n * Bss]), sB);
            const V dha = mul(dhn, a);
            const V da = mul(dha, load(hprev + n * 16));  // dL/d(dt A_n)
            store(DAc + n * 16, fmadd(da, dt, load(DAc + n * 16)));
            sA = fmadd(da, An, sA);
            store(dh + n * 16, dha);
        }
        V ddt = fmadd(u, sB, sA);
        store(DU + t * 16, fmadd(dt, sB, load(DU + t * 16)));
        if (p.delta_softplus) ddt = mul(ddt, load(SIG + t * 16));
        store(DDT + t * 16, ddt);
        dbias = add(dbias, ddt);
        for (int64_t g = 0; g < Np; g += 16) {
            reduce16(TB + g * 16, partB + t * Np + g);
            reduce16(TC + g * 16, partC + t * Np + g);
        }
    }

    scatter_rows(DU, p.du + it.b * p.du_batch_stride + it.d0 * p.du_dim_stride + t0, p.du_dim_stride, it.w, len);
    scatter_rows(DDT, p.ddelta + it.b * p.ddelta_batch_stride + it.d0 * p.ddelta_dim_stride + t0,
                 p.ddelta_dim_stride, it.w, len);
    if (p.z)
        scatter_rows(DZ, p.dz + it.b * p.dz_batch_stride + it.d0 * p.dz_dim_stride + t0, p.dz_dim_stride, it.w, len);

    // Chunk sums into the item's double accumulators (fp32 within a chunk, fp64 across chunks).
    for (int64_t i = 0; i < N * 16; ++i) st.dA[i] += DAc[i];
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

static void reduce_lanes(const float* vecs, float* out) { reduce16(vecs, out); }
