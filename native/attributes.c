/*
 * cbcDecryptMany(keys, data, ends) -> Uint8Array: many short AES-128-CBC decryptions (IV 0, no
 * padding) in one call, each segment of `data` under its own 16-byte key: segment i is
 * data[ends[i-1]..ends[i]) (ends[-1] = 0) and key i is keys[16i..16i+16). For MEGA node
 * attributes, which come one small ciphertext per node under the node's own key: one JS decipher
 * object (and its Buffers) per node was most of a 100,000-node tree's decoding time.
 * A segment whose length is not a positive multiple of 16 is left as zeros (the caller rejects
 * it, as it would reject it anyway). Uses the OpenSSL that Node exports to addons; built only
 * where its headers are found (else the export is absent and the caller decrypts in JS).
 */
#include <stdint.h>
#include <string.h>
#include "native.h"

#if __has_include(<openssl/evp.h>)
#include <openssl/evp.h>

static int typed_bytes(napi_env env, napi_value v, napi_typedarray_type want, size_t elem, void **data, size_t *count) {
  bool is = false;
  napi_typedarray_type t;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return -1;
  if (napi_get_typedarray_info(env, v, &t, count, data, NULL, NULL) != napi_ok) return -1;
  if (t != want && !(want == napi_uint8_array && t == napi_uint8_clamped_array)) return -1;
  (void)elem;
  return 0;
}

napi_value mm_cbc_decrypt_many(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (mm_args(env, info, 3, &argc, argv, "cbcDecryptMany(keys, data, ends): three arguments")) return NULL;
  uint8_t *keys, *data;
  uint32_t *ends;
  size_t nkeys, ndata, n;
  if (typed_bytes(env, argv[0], napi_uint8_array, 1, (void **)&keys, &nkeys) || typed_bytes(env, argv[1], napi_uint8_array, 1, (void **)&data, &ndata) ||
      typed_bytes(env, argv[2], napi_uint32_array, 4, (void **)&ends, &n)) {
    napi_throw_type_error(env, NULL, "cbcDecryptMany: keys and data are Uint8Arrays, ends a Uint32Array");
    return NULL;
  }
  if (nkeys != n * 16 || (n > 0 && ends[n - 1] > ndata)) {
    napi_throw_range_error(env, NULL, "cbcDecryptMany: 16 key bytes per segment, and segments inside data");
    return NULL;
  }
  napi_value ab, out;
  void *plain = NULL;
  MM_CHECK(env, napi_create_arraybuffer(env, ndata, &plain, &ab));
  memset(plain, 0, ndata);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL) {
    napi_throw_error(env, NULL, "cbcDecryptMany: out of memory");
    return NULL;
  }
  static const unsigned char iv[16] = {0};
  const EVP_CIPHER *cipher = EVP_aes_128_cbc();
  uint32_t start = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t end = ends[i];
    if (end < start) break; /* not increasing: the rest stays zero */
    uint32_t len = end - start;
    if (len > 0 && len % 16 == 0) {
      int outl = 0, finl = 0;
      unsigned char *o = (unsigned char *)plain + start;
      if (EVP_DecryptInit_ex(ctx, cipher, NULL, keys + 16 * i, iv) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
          EVP_DecryptUpdate(ctx, o, &outl, data + start, (int)len) != 1 || EVP_DecryptFinal_ex(ctx, o + outl, &finl) != 1)
        memset(o, 0, len);
    }
    start = end;
  }
  EVP_CIPHER_CTX_free(ctx);
  MM_CHECK(env, napi_create_typedarray(env, napi_uint8_array, ndata, ab, 0, &out));
  return out;
}
#endif
