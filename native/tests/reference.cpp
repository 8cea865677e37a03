// reference.cpp — see reference.h. Deliberately naive: clarity over speed.
#include "reference.h"

#include <cmath>

namespace ref {
namespace {

double softplus(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct Walk {  // one (b, d): the discretised step size and every state
    std::vector<double> dt, x;  // x = delta + bias (softplus input)
    std::vector<double> h;      // (L + 1, N): h[0] = h_{-1}
    std::vector<double> y;      // C_t . h_t + D u_t (before the gate)
};

Walk walk(const Problem& p, int b, int d) {
    const int L = p.L, N = p.N, g = d / (p.D / p.G);
    Walk w;
    w.dt.resize(L);
    w.x.resize(L);
    w.h.assign((size_t)(L + 1) * N, 0.0);
    w.y.resize(L);
    if (!p.h0.empty())
        for (int n = 0; n < N; ++n) w.h[n] = p.h0[((size_t)b * p.D + d) * N + n];
    for (int t = 0; t < L; ++t) {
        const size_t i = ((size_t)b * p.D + d) * L + t;
        double x = p.delta[i] + (p.bias.empty() ? 0.0 : p.bias[d]);
        w.x[t] = x;
        w.dt[t] = p.softplus ? softplus(x) : x;
        double y = 0.0;
        for (int n = 0; n < N; ++n) {
            const size_t bc = (((size_t)b * p.G + g) * N + n) * L + t;
            double a = std::exp(w.dt[t] * p.A[(size_t)d * N + n]);
            double h = a * w.h[(size_t)t * N + n] + w.dt[t] * p.Bm[bc] * p.u[i];
            w.h[(size_t)(t + 1) * N + n] = h;
            y += p.Cm[bc] * h;
        }
        w.y[t] = y + (p.Dskip.empty() ? 0.0 : p.Dskip[d] * p.u[i]);
    }
    return w;
}

}  // namespace

Forward forward(const Problem& p) {
    Forward f;
    f.out.resize((size_t)p.B * p.D * p.L);
    f.final.resize((size_t)p.B * p.D * p.N);
    for (int b = 0; b < p.B; ++b)
        for (int d = 0; d < p.D; ++d) {
            Walk w = walk(p, b, d);
            for (int t = 0; t < p.L; ++t) {
                const size_t i = ((size_t)b * p.D + d) * p.L + t;
                double y = w.y[t];
                if (!p.z.empty()) y *= p.z[i] * sigmoid(p.z[i]);
                f.out[i] = y;
            }
            for (int n = 0; n < p.N; ++n) f.final[((size_t)b * p.D + d) * p.N + n] = w.h[(size_t)p.L * p.N + n];
        }
    return f;
}

Grads backward(const Problem& p, const Vec& dout, const Vec& dfinal) {
    const int B = p.B, D = p.D, L = p.L, N = p.N, G = p.G;
    Grads gr;
    gr.du.assign((size_t)B * D * L, 0.0);
    gr.ddelta.assign((size_t)B * D * L, 0.0);
    if (!p.z.empty()) gr.dz.assign((size_t)B * D * L, 0.0);
    gr.dA.assign((size_t)D * N, 0.0);
    gr.dB.assign((size_t)B * G * N * L, 0.0);
    gr.dC.assign((size_t)B * G * N * L, 0.0);
    if (!p.Dskip.empty()) gr.dD.assign(D, 0.0);
    if (!p.bias.empty()) gr.dbias.assign(D, 0.0);
    gr.dh0.assign((size_t)B * D * N, 0.0);

    std::vector<double> dh(N);
    for (int b = 0; b < B; ++b)
        for (int d = 0; d < D; ++d) {
            const int g = d / (D / G);
            Walk w = walk(p, b, d);
            for (int n = 0; n < N; ++n) dh[n] = dfinal.empty() ? 0.0 : dfinal[((size_t)b * D + d) * N + n];
            for (int t = L - 1; t >= 0; --t) {
                const size_t i = ((size_t)b * D + d) * L + t;
                // out = y * silu(z)
                double dy = dout[i];
                if (!p.z.empty()) {
                    const double z = p.z[i], s = sigmoid(z);
                    gr.dz[i] = dout[i] * w.y[t] * s * (1.0 + z * (1.0 - s));
                    dy = dout[i] * z * s;
                }
                // y = C . h_t + D u
                if (!p.Dskip.empty()) {
                    gr.dD[d] += dy * p.u[i];
                    gr.du[i] += dy * p.Dskip[d];
                }
                double ddt = 0.0;
                for (int n = 0; n < N; ++n) {
                    const size_t bc = (((size_t)b * G + g) * N + n) * L + t;
                    const double ht = w.h[(size_t)(t + 1) * N + n], hp = w.h[(size_t)t * N + n];
                    gr.dC[bc] += dy * ht;
                    dh[n] += dy * p.Cm[bc];
                    // h_t = a h_{t-1} + dt B u,  a = exp(dt A)
                    const double An = p.A[(size_t)d * N + n], a = std::exp(w.dt[t] * An);
                    gr.dB[bc] += dh[n] * w.dt[t] * p.u[i];
                    gr.du[i] += dh[n] * w.dt[t] * p.Bm[bc];
                    ddt += dh[n] * (a * An * hp + p.Bm[bc] * p.u[i]);
                    gr.dA[(size_t)d * N + n] += dh[n] * a * w.dt[t] * hp;
                    dh[n] *= a;
                }
                // dt = softplus(delta + bias): derivative sigmoid, 1 above the threshold (as PyTorch)
                if (p.softplus && w.x[t] <= 20.0) ddt *= sigmoid(w.x[t]);
                gr.ddelta[i] = ddt;
                if (!p.bias.empty()) gr.dbias[d] += ddt;
            }
            for (int n = 0; n < N; ++n) gr.dh0[((size_t)b * D + d) * N + n] = dh[n];
        }
    return gr;
}

}  // namespace ref
