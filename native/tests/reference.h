// reference.h — the selective scan in double precision, written as plainly as the math in genomamba.h:
// every state h_t is materialised (B, D, L+1, N) and the backward is the chain rule step by step. It is the
// spec the fused kernels are tested against; a finite-difference test checks the reference itself.
#ifndef GM_TEST_REFERENCE_H
#define GM_TEST_REFERENCE_H

#include <vector>

namespace ref {

using Vec = std::vector<double>;

struct Problem {
    int B = 1, D = 1, L = 1, N = 1, G = 1;
    bool softplus = false;
    Vec u, delta;   // (B, D, L)
    Vec A;          // (D, N)
    Vec Bm, Cm;     // (B, G, N, L)
    Vec Dskip;      // (D) or empty
    Vec bias;       // (D) or empty
    Vec z;          // (B, D, L) or empty
    Vec h0;         // (B, D, N) or empty
};

struct Forward {
    Vec out;    // (B, D, L)
    Vec final;  // (B, D, N)
};

struct Grads {
    Vec du, ddelta, dz;  // (B, D, L); dz empty without z
    Vec dA;              // (D, N)
    Vec dB, dC;          // (B, G, N, L)
    Vec dD, dbias;       // (D) or empty
    Vec dh0;             // (B, D, N)
};

Forward forward(const Problem& p);
// dout (B, D, L); dfinal (B, D, N) or empty.
Grads backward(const Problem& p, const Vec& dout, const Vec& dfinal);

}  // namespace ref

#endif
