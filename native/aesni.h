/*
 * AES-128 with AES-NI, shared by cbc_mac.c and aes_ctr.c: the key schedule, one block, and the
 * typed-array argument check both calls use. x86-64 only; callers check mm_have_aes() at run
 * time (the functions carry their own target attribute, so the rest builds for any x86-64).
 */
#ifndef MEGAMIRROR_AESNI_H
#define MEGAMIRROR_AESNI_H

#include <stdint.h>
#include <immintrin.h>
#include "native.h"

#define AES_TARGET __attribute__((target("aes,sse2")))

AES_TARGET static inline __m128i expand_step(__m128i key, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xff);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

/* The AES-128 key schedule (the round constant must be an immediate, hence one line per round). */
AES_TARGET static inline void expand_key(const uint8_t *key, __m128i rk[11]) {
  rk[0] = _mm_loadu_si128((const __m128i *)key);
  rk[1] = expand_step(rk[0], _mm_aeskeygenassist_si128(rk[0], 0x01));
  rk[2] = expand_step(rk[1], _mm_aeskeygenassist_si128(rk[1], 0x02));
  rk[3] = expand_step(rk[2], _mm_aeskeygenassist_si128(rk[2], 0x04));
  rk[4] = expand_step(rk[3], _mm_aeskeygenassist_si128(rk[3], 0x08));
  rk[5] = expand_step(rk[4], _mm_aeskeygenassist_si128(rk[4], 0x10));
  rk[6] = expand_step(rk[5], _mm_aeskeygenassist_si128(rk[5], 0x20));
  rk[7] = expand_step(rk[6], _mm_aeskeygenassist_si128(rk[6], 0x40));
  rk[8] = expand_step(rk[7], _mm_aeskeygenassist_si128(rk[7], 0x80));
  rk[9] = expand_step(rk[8], _mm_aeskeygenassist_si128(rk[8], 0x1b));
  rk[10] = expand_step(rk[9], _mm_aeskeygenassist_si128(rk[9], 0x36));
}

AES_TARGET static inline __m128i encrypt_block(const __m128i rk[11], __m128i x) {
  x = _mm_xor_si128(x, rk[0]);
  for (int r = 1; r < 10; r++) x = _mm_aesenc_si128(x, rk[r]);
  return _mm_aesenclast_si128(x, rk[10]);
}

/* A typed array argument of the wanted type (a Buffer is a Uint8Array): 0, or -1 (no throw). */
static inline int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *count) {
  bool is = false;
  napi_typedarray_type t;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return -1;
  if (napi_get_typedarray_info(env, v, &t, count, data, NULL, NULL) != napi_ok) return -1;
  return t == want || (want == napi_uint8_array && t == napi_uint8_clamped_array) ? 0 : -1;
}

#endif
