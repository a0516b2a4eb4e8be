#include <stdlib.h>
#include "native.h"

char *mm_string_arg_len(napi_env env, napi_value v, size_t *length) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "megamirror native: expected a string");
    return NULL;
  }
  char *s = malloc(len + 1);
  if (s == NULL) {
    napi_throw_error(env, NULL, "megamirror native: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (length != NULL) *length = len;
  return s;
}

char *mm_string_arg(napi_env env, napi_value v) {
  return mm_string_arg_len(env, v, NULL);
}

int mm_args(napi_env env, napi_callback_info info, size_t min, size_t *argc, napi_value *argv, const char *usage) {
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok || *argc < min) {
    napi_throw_type_error(env, NULL, usage);
    return -1;
  }
  return 0;
}

static napi_status export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_status st = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  if (st != napi_ok) return st;
  return napi_set_named_property(env, exports, name, fn);
}

/* Context-aware: the walk runs on worker threads, each of which loads its own instance. */
NAPI_MODULE_INIT() {
  napi_value abi;
  if (napi_create_int32(env, MEGAMIRROR_NATIVE_ABI, &abi) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "abi", abi) != napi_ok) return NULL;
  if (export_fn(env, exports, "listFolder", mm_list_folder) != napi_ok) return NULL;
  if (export_fn(env, exports, "copyFile", mm_copy_file) != napi_ok) return NULL;
  if (export_fn(env, exports, "copyFiles", mm_copy_files) != napi_ok) return NULL;
  if (mm_have_aes() && export_fn(env, exports, "cbcMacChunks", mm_cbc_mac_chunks) != napi_ok) return NULL;
  if (mm_have_aes() && export_fn(env, exports, "aesCtr", mm_aes_ctr) != napi_ok) return NULL;
#ifdef MM_HAVE_OPENSSL
  if (export_fn(env, exports, "cbcDecryptMany", mm_cbc_decrypt_many) != napi_ok) return NULL;
#endif
  return exports;
}
