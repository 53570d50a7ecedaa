/*
 * SM2 signature verification's one expensive step, u*G + v*P on the SM2 curve (GB/T 32918.5),
 * with fixed-base tables for both points.
 *
 * Why this exists (ADR 0017): a verifier checks every signature against the same few public keys,
 * the generator and the trust list's seals. OpenSSL and Tongsuo compute u*G + v*P from scratch
 * each time (about 256 doublings and 100 additions). Here each point has a table, built once per
 * key, of the multiples 1..128 of 256^i * point for every byte position i; a scalar is recoded
 * into 33 signed digits in [-128, 128] (a negative digit adds the entry's negation, a free
 * operation on affine points), so u*G + v*P is at most 66 additions and no doublings. 4-bit
 * windows took 128 additions: the verification's largest cost. A table is 33 x 128 entries of
 * 64 bytes (270 KB): two fit in a core's L2 cache.
 *
 * Only public data passes through here (the keys, the signature, the message's digest), so the
 * arithmetic is variable-time on purpose: there is no secret to leak. Signing stays in Tongsuo.
 *
 * Field elements: 4 little-endian 64-bit limbs in Montgomery form (R = 2^256), always fully
 * reduced (< p), so equality is limb equality. The SM2 prime is -1 mod 2^64, so the Montgomery
 * factor -p^-1 mod 2^64 is 1. Points: Jacobian (X, Y, Z), Z = 0 the point at infinity; table
 * entries affine. The curve's a is -3, which the doubling formula uses.
 *
 * The tests compare every answer with Tongsuo's and gmalg's verification (tests/licences).
 * The table entries' inversions run once per key, one per window (Montgomery's batch trick);
 * a verification inverts nothing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t u64;
typedef unsigned __int128 u128;

typedef struct { u64 v[4]; } fe;
typedef struct { fe x, y; } affine;
typedef struct { fe x, y, z; } jacobian;

#define WINDOWS 33            /* signed 8-bit digits of a 256-bit scalar, and the last carry */
#define PER_WINDOW 128        /* multiples 1..128 of 2^(8i) * point */
#define TABLE_SIZE (WINDOWS * PER_WINDOW * (Py_ssize_t)sizeof(affine))

static const fe P = {{0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFF00000000ULL, 0xFFFFFFFFFFFFFFFFULL,
                      0xFFFFFFFEFFFFFFFFULL}};
static const fe B_PLAIN = {{0xDDBCBD414D940E93ULL, 0xF39789F515AB8F92ULL, 0x4D5A9E4BCF6509A7ULL,
                            0x28E9FA9E9D9F5E34ULL}};
static fe RR;      /* R^2 mod p, to enter Montgomery form */
static fe ONE_M;   /* 1 in Montgomery form */
static fe B_M;     /* the curve's b in Montgomery form */

static int fe_is_zero(const fe *a) { return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0; }
static int fe_equal(const fe *a, const fe *b) { return memcmp(a->v, b->v, sizeof a->v) == 0; }

/* a < p, for values read from outside. */
static int fe_below_p(const fe *a) {
    for (int i = 3; i >= 0; i--) {
        if (a->v[i] != P.v[i]) return a->v[i] < P.v[i];
    }
    return 0;
}

static void fe_add(fe *r, const fe *a, const fe *b) {
    u64 t[4], s[4];
    u128 c = 0;
    for (int i = 0; i < 4; i++) { c += (u128)a->v[i] + b->v[i]; t[i] = (u64)c; c >>= 64; }
    u64 carry = (u64)c;
    u128 d = 0;
    u64 borrow = 0;
    for (int i = 0; i < 4; i++) {
        d = (u128)t[i] - P.v[i] - borrow;
        s[i] = (u64)d;
        borrow = (u64)(d >> 64) & 1;
    }
    /* a + b >= p exactly when the sum carried out or subtracting p did not borrow */
    memcpy(r->v, (carry || !borrow) ? s : t, sizeof t);
}

static void fe_sub(fe *r, const fe *a, const fe *b) {
    u64 t[4];
    u128 d;
    u64 borrow = 0;
    for (int i = 0; i < 4; i++) {
        d = (u128)a->v[i] - b->v[i] - borrow;
        t[i] = (u64)d;
        borrow = (u64)(d >> 64) & 1;
    }
    if (borrow) {
        u128 c = 0;
        for (int i = 0; i < 4; i++) { c += (u128)t[i] + P.v[i]; t[i] = (u64)c; c >>= 64; }
    }
    memcpy(r->v, t, sizeof t);
}

/* Montgomery product a*b/R mod p (CIOS; the factor -p^-1 mod 2^64 is 1). */
static void fe_mul(fe *r, const fe *a, const fe *b) {
    u64 t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c += (u128)a->v[j] * b->v[i] + t[j];
            t[j] = (u64)c;
            c >>= 64;
        }
        c += t[4];
        t[4] = (u64)c;
        t[5] = (u64)(c >> 64);
        u64 m = t[0];
        c = (u128)m * P.v[0] + t[0];
        c >>= 64;
        for (int j = 1; j < 4; j++) {
            c += (u128)m * P.v[j] + t[j];
            t[j - 1] = (u64)c;
            c >>= 64;
        }
        c += t[4];
        t[3] = (u64)c;
        t[4] = t[5] + (u64)(c >> 64);
    }
    u64 s[4];
    u64 borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)t[i] - P.v[i] - borrow;
        s[i] = (u64)d;
        borrow = (u64)(d >> 64) & 1;
    }
    memcpy(r->v, (t[4] || !borrow) ? s : t, sizeof s);
}

static void fe_sqr(fe *r, const fe *a) { fe_mul(r, a, a); }

/* a^(p-2) = 1/a (Fermat); a != 0. The exponent's bits are walked from the top. */
static void fe_inv(fe *r, const fe *a) {
    static const u64 e[4] = {0xFFFFFFFFFFFFFFFDULL, 0xFFFFFFFF00000000ULL, 0xFFFFFFFFFFFFFFFFULL,
                             0xFFFFFFFEFFFFFFFFULL};
    fe acc = ONE_M;
    for (int i = 255; i >= 0; i--) {
        fe_sqr(&acc, &acc);
        if ((e[i / 64] >> (i % 64)) & 1) fe_mul(&acc, &acc, a);
    }
    *r = acc;
}

static void fe_from_bytes(fe *r, const unsigned char *be) {
    for (int i = 0; i < 4; i++) {
        u64 w = 0;
        for (int j = 0; j < 8; j++) w = (w << 8) | be[(3 - i) * 8 + j];
        r->v[i] = w;
    }
}

static void fe_to_bytes(unsigned char *be, const fe *a) {
    for (int i = 0; i < 4; i++) {
        u64 w = a->v[i];
        for (int j = 7; j >= 0; j--) { be[(3 - i) * 8 + j] = (unsigned char)w; w >>= 8; }
    }
}

static void to_mont(fe *r, const fe *a) { fe_mul(r, a, &RR); }

static void from_mont(fe *r, const fe *a) {
    static const fe one = {{1, 0, 0, 0}};
    fe_mul(r, a, &one);
}

/* 2P, a = -3 (dbl-2001-b). */
static void point_double(jacobian *r, const jacobian *p) {
    if (fe_is_zero(&p->z)) { *r = *p; return; }
    fe delta, gamma, beta, alpha, t1, t2, x3, y3, z3;
    fe_sqr(&delta, &p->z);
    fe_sqr(&gamma, &p->y);
    fe_mul(&beta, &p->x, &gamma);
    fe_sub(&t1, &p->x, &delta);
    fe_add(&t2, &p->x, &delta);
    fe_mul(&alpha, &t1, &t2);
    fe_add(&t1, &alpha, &alpha);
    fe_add(&alpha, &t1, &alpha);                 /* alpha = 3(X-delta)(X+delta) */
    fe_sqr(&x3, &alpha);
    fe_add(&t1, &beta, &beta);                   /* 2 beta */
    fe_add(&t1, &t1, &t1);                       /* 4 beta */
    fe_add(&t2, &t1, &t1);                       /* 8 beta */
    fe_sub(&x3, &x3, &t2);                       /* X3 = alpha^2 - 8 beta */
    fe_add(&z3, &p->y, &p->z);
    fe_sqr(&z3, &z3);
    fe_sub(&z3, &z3, &gamma);
    fe_sub(&z3, &z3, &delta);                    /* Z3 = (Y+Z)^2 - gamma - delta */
    fe_sub(&t1, &t1, &x3);
    fe_mul(&y3, &alpha, &t1);
    fe_sqr(&t2, &gamma);
    fe_add(&t2, &t2, &t2);
    fe_add(&t2, &t2, &t2);
    fe_add(&t2, &t2, &t2);                       /* 8 gamma^2 */
    fe_sub(&y3, &y3, &t2);                       /* Y3 = alpha(4 beta - X3) - 8 gamma^2 */
    r->x = x3; r->y = y3; r->z = z3;
}

/* p + q with q affine (madd-2007-bl), the equal and opposite cases included. */
static void point_add_affine(jacobian *r, const jacobian *p, const affine *q) {
    if (fe_is_zero(&p->z)) { r->x = q->x; r->y = q->y; r->z = ONE_M; return; }
    fe z1z1, u2, s2, h, hh, i, j, rr, v, t, x3, y3, z3;
    fe_sqr(&z1z1, &p->z);
    fe_mul(&u2, &q->x, &z1z1);
    fe_mul(&s2, &q->y, &p->z);
    fe_mul(&s2, &s2, &z1z1);
    fe_sub(&h, &u2, &p->x);
    fe_sub(&rr, &s2, &p->y);
    if (fe_is_zero(&h)) {
        if (fe_is_zero(&rr)) { point_double(r, p); return; }
        memset(r, 0, sizeof *r);                 /* p = -q: the point at infinity */
        return;
    }
    fe_add(&rr, &rr, &rr);                       /* r = 2(S2 - Y1) */
    fe_sqr(&hh, &h);
    fe_add(&i, &hh, &hh);
    fe_add(&i, &i, &i);                          /* I = 4 HH */
    fe_mul(&j, &h, &i);
    fe_mul(&v, &p->x, &i);
    fe_sqr(&x3, &rr);
    fe_sub(&x3, &x3, &j);
    fe_sub(&x3, &x3, &v);
    fe_sub(&x3, &x3, &v);                        /* X3 = r^2 - J - 2V */
    fe_sub(&t, &v, &x3);
    fe_mul(&y3, &rr, &t);
    fe_mul(&t, &p->y, &j);
    fe_add(&t, &t, &t);
    fe_sub(&y3, &y3, &t);                        /* Y3 = r(V - X3) - 2 Y1 J */
    fe_add(&z3, &p->z, &h);
    fe_sqr(&z3, &z3);
    fe_sub(&z3, &z3, &z1z1);
    fe_sub(&z3, &z3, &hh);                       /* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
    r->x = x3; r->y = y3; r->z = z3;
}

/* y^2 = x^3 - 3x + b, Montgomery form. */
static int on_curve(const affine *q) {
    fe lhs, rhs, t;
    fe_sqr(&lhs, &q->y);
    fe_sqr(&rhs, &q->x);
    fe_mul(&rhs, &rhs, &q->x);
    fe_add(&t, &q->x, &q->x);
    fe_add(&t, &t, &q->x);
    fe_sub(&rhs, &rhs, &t);
    fe_add(&rhs, &rhs, &B_M);
    return fe_equal(&lhs, &rhs);
}

/* The affine forms of n finite Jacobian points with one inversion (Montgomery's trick): the
 * running products of the Zs, one inverse of their product, then each 1/Z from the back. */
static void batch_to_affine(affine *out, const jacobian *in, fe *scratch, int n) {
    scratch[0] = in[0].z;
    for (int k = 1; k < n; k++) fe_mul(&scratch[k], &scratch[k - 1], &in[k].z);
    fe inv, zi, zi2, zi3;
    fe_inv(&inv, &scratch[n - 1]);                 /* 1 / (Z_0 ... Z_{n-1}) */
    for (int k = n - 1; k >= 0; k--) {
        if (k > 0) {
            fe_mul(&zi, &inv, &scratch[k - 1]);    /* 1 / Z_k */
            fe_mul(&inv, &inv, &in[k].z);          /* 1 / (Z_0 ... Z_{k-1}) */
        } else {
            zi = inv;
        }
        fe_sqr(&zi2, &zi);
        fe_mul(&zi3, &zi2, &zi);
        fe_mul(&out[k].x, &in[k].x, &zi2);
        fe_mul(&out[k].y, &in[k].y, &zi3);
    }
}

/* table(point) -> bytes: the 33 x 128 affine multiples j * 256^i * point of an uncompressed
 * (0x04 || x || y) point on the curve; None for anything else. */
static PyObject *sm2_table(PyObject *self, PyObject *arg) {
    (void)self;
    char *buf;
    Py_ssize_t len;
    if (!PyBytes_Check(arg)) { PyErr_SetString(PyExc_TypeError, "point must be bytes"); return NULL; }
    PyBytes_AsStringAndSize(arg, &buf, &len);
    const unsigned char *in = (const unsigned char *)buf;
    if (len != 65 || in[0] != 0x04) Py_RETURN_NONE;
    affine base;
    fe x, y;
    fe_from_bytes(&x, in + 1);
    fe_from_bytes(&y, in + 33);
    if (!fe_below_p(&x) || !fe_below_p(&y)) Py_RETURN_NONE;
    to_mont(&base.x, &x);
    to_mont(&base.y, &y);
    if (!on_curve(&base)) Py_RETURN_NONE;
    PyObject *out = PyBytes_FromStringAndSize(NULL, TABLE_SIZE);
    if (out == NULL) return NULL;
    jacobian *row = PyMem_RawMalloc(PER_WINDOW * sizeof(jacobian));
    fe *scratch = PyMem_RawMalloc(PER_WINDOW * sizeof(fe));
    if (row == NULL || scratch == NULL) {
        PyMem_RawFree(row);
        PyMem_RawFree(scratch);
        Py_DECREF(out);
        return PyErr_NoMemory();
    }
    affine *table = (affine *)PyBytes_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    for (int w = 0; w < WINDOWS; w++) {
        /* A multiple of a point of prime order below the order is never the point at infinity. */
        jacobian acc;
        memset(&acc, 0, sizeof acc);
        for (int k = 0; k < PER_WINDOW; k++) {
            point_add_affine(&acc, &acc, &base);            /* (k+1) * base */
            row[k] = acc;
        }
        batch_to_affine(&table[w * PER_WINDOW], row, scratch, PER_WINDOW);
        point_double(&acc, &row[PER_WINDOW - 1]);           /* 256 * base: the next window's */
        batch_to_affine(&base, &acc, scratch, 1);
    }
    Py_END_ALLOW_THREADS
    PyMem_RawFree(row);
    PyMem_RawFree(scratch);
    return out;
}

/* The scalar (32 bytes, big-endian) as 33 signed digits d_i in [-128, 128], k = sum d_i 256^i:
 * a byte above 128 becomes byte - 256 and carries one into the next. */
static void signed_digits(int *d, const unsigned char *be) {
    int carry = 0;
    for (int i = 0; i < 32; i++) {
        int v = be[31 - i] + carry;
        carry = v > 128;
        d[i] = v - (carry << 8);
    }
    d[32] = carry;
}

/* acc += digit * (the window's point), the table holding its multiples 1..128. */
static void add_digit(jacobian *acc, const affine *window, int digit) {
    if (digit > 0) {
        point_add_affine(acc, acc, &window[digit - 1]);
    } else if (digit < 0) {
        static const fe zero = {{0, 0, 0, 0}};
        affine neg = window[-digit - 1];
        fe_sub(&neg.y, &zero, &neg.y);                      /* -(x, y) = (x, p - y) */
        point_add_affine(acc, acc, &neg);
    }
}

/* mul2(table_a, k_a, table_b, k_b) -> bytes | None: X || Z^2 (2 x 32 bytes, big-endian, plain
 * form) of the Jacobian sum k_a * A + k_b * B, for two points' tables and two 32-byte big-endian
 * scalars; None when the sum is the point at infinity. The affine x is X / Z^2: a verifier checks
 * X = x' * Z^2 mod p for its candidate x' instead of inverting Z (an inversion costs as much as
 * a third of the additions). */
static PyObject *sm2_mul2(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 4) { PyErr_SetString(PyExc_TypeError, "mul2 takes four arguments"); return NULL; }
    for (int i = 0; i < 4; i++) {
        if (!PyBytes_Check(args[i])) { PyErr_SetString(PyExc_TypeError, "arguments must be bytes"); return NULL; }
    }
    if (PyBytes_GET_SIZE(args[0]) != TABLE_SIZE || PyBytes_GET_SIZE(args[2]) != TABLE_SIZE
        || PyBytes_GET_SIZE(args[1]) != 32 || PyBytes_GET_SIZE(args[3]) != 32) {
        PyErr_SetString(PyExc_ValueError, "mul2 takes two tables and two 32-byte scalars");
        return NULL;
    }
    const affine *ta = (const affine *)PyBytes_AS_STRING(args[0]);
    const affine *tb = (const affine *)PyBytes_AS_STRING(args[2]);
    const unsigned char *ka = (const unsigned char *)PyBytes_AS_STRING(args[1]);
    const unsigned char *kb = (const unsigned char *)PyBytes_AS_STRING(args[3]);
    jacobian acc;
    memset(&acc, 0, sizeof acc);
    int da[WINDOWS], db[WINDOWS];
    signed_digits(da, ka);
    signed_digits(db, kb);
    /* The arguments are immutable bytes the caller holds: other threads may run meanwhile. */
    Py_BEGIN_ALLOW_THREADS
    for (int w = 0; w < WINDOWS; w++) {
        add_digit(&acc, &ta[w * PER_WINDOW], da[w]);
        add_digit(&acc, &tb[w * PER_WINDOW], db[w]);
    }
    Py_END_ALLOW_THREADS
    if (fe_is_zero(&acc.z)) Py_RETURN_NONE;
    fe zz, plain;
    unsigned char be[64];
    from_mont(&plain, &acc.x);
    fe_to_bytes(be, &plain);
    fe_sqr(&zz, &acc.z);
    from_mont(&plain, &zz);
    fe_to_bytes(be + 32, &plain);
    return PyBytes_FromStringAndSize((const char *)be, 64);
}

static PyMethodDef methods[] = {
    {"table", (PyCFunction)sm2_table, METH_O,
     "table(point) -> bytes | None: fixed-base table of an uncompressed SM2 point."},
    {"mul2", (PyCFunction)(void (*)(void))sm2_mul2, METH_FASTCALL,
     "mul2(table_a, k_a, table_b, k_b) -> bytes | None: X || Z^2 of k_a*A + k_b*B (Jacobian)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sm2", "SM2 double scalar multiplication with fixed-base tables.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__sm2(void) {
    /* R mod p by doubling 1 256 times, then R^2 = R * 2^256 by 256 more (plain arithmetic: fe_add
     * is the same in both forms). */
    fe r = {{1, 0, 0, 0}};
    for (int i = 0; i < 256; i++) fe_add(&r, &r, &r);
    ONE_M = r;
    for (int i = 0; i < 256; i++) fe_add(&r, &r, &r);
    RR = r;
    to_mont(&B_M, &B_PLAIN);
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "TABLE_SIZE", (long)TABLE_SIZE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
