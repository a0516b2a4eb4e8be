/*
 * megamirror's optional native helpers (Node-API, C). Calls that the local backend makes
 * once per folder and once per copied file, where Node's fs API needs one call (and one object)
 * per entry or several thread-pool round trips per file; and MEGA's per-node attribute
 * decryption and per-chunk MACs in batches. Everything they decide stays in TypeScript; without
 * this module (no compiler, MEGAMIRROR_NATIVE=0) the same code runs on fs and node:crypto.
 */
#ifndef MEGAMIRROR_NATIVE_H
#define MEGAMIRROR_NATIVE_H

#include <node_api.h>

/* Bumped when a call's arguments or results change: the loader refuses a stale build. */
#define MEGAMIRROR_NATIVE_ABI 2

napi_value mm_list_folder(napi_env env, napi_callback_info info);
napi_value mm_copy_file(napi_env env, napi_callback_info info);
napi_value mm_copy_files(napi_env env, napi_callback_info info);
/* cbcMacChunks: exported only where mm_have_aes() (x86-64 with AES-NI). */
napi_value mm_cbc_mac_chunks(napi_env env, napi_callback_info info);
/* aesCtr: the same condition. */
napi_value mm_aes_ctr(napi_env env, napi_callback_info info);
int mm_have_aes(void);
#if __has_include(<openssl/evp.h>)
#define MM_HAVE_OPENSSL 1
napi_value mm_cbc_decrypt_many(napi_env env, napi_callback_info info);
#endif

/* Throws a JS TypeError and returns NULL when a call's status is not napi_ok. */
#define MM_CHECK(env, call)                                        \
  do {                                                             \
    if ((call) != napi_ok) {                                       \
      napi_throw_type_error((env), NULL, "megamirror native: " #call); \
      return NULL;                                                 \
    }                                                              \
  } while (0)

/* A JS string argument as a NUL-terminated UTF-8 copy (malloc'd), or NULL after throwing. */
char *mm_string_arg(napi_env env, napi_value v);
/* The same, with its length in bytes (the copy holds any NULs the string holds). */
char *mm_string_arg_len(napi_env env, napi_value v, size_t *length);

/*
 * The call's arguments into argv (at most *argc, which then holds how many came); 0, or -1 after
 * throwing a TypeError that quotes `usage` when fewer than `min` came.
 */
int mm_args(napi_env env, napi_callback_info info, size_t min, size_t *argc, napi_value *argv, const char *usage);

#endif
