/*
 * listFolder(path): one folder's entries in one call. Regular files (and entries whose type the
 * directory does not give) are lstat'ed relative to the open folder, so the kernel resolves one
 * name per file instead of the whole path again. Returns
 *   { names: "a\0b\0c", kinds: Uint8Array, sizes: Float64Array, mtimes: Float64Array, ascii }
 * with kinds 1 file, 2 folder, 3 symlink, 4 anything else, 0 lstat failed (the caller asks
 * again through fs for the proper error), sizes and floored mtimes in ms for files only;
 * (ascii: every name is ASCII, so the caller can skip its per-name Unicode checks);
 * or a positive errno when the folder itself cannot be opened or read (the caller then lets
 * fs.readdirSync raise the proper error). Sorted by bytes, as Node's readdir (libuv's scandir)
 * gives them, so whatever follows the listing's order reads the same either way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "native.h"

enum { KIND_FAILED = 0, KIND_FILE = 1, KIND_DIR = 2, KIND_LINK = 3, KIND_OTHER = 4 };

typedef struct {
  int ascii; /* every name is ASCII */
  char *names; /* each name NUL-terminated, back to back */
  size_t names_len, names_cap;
  size_t *offsets;
  uint8_t *kinds;
  double *sizes, *mtimes;
  size_t count, cap;
} listing;

static void listing_free(listing *l) {
  free(l->names);
  free(l->offsets);
  free(l->kinds);
  free(l->sizes);
  free(l->mtimes);
}

static int grow(void **p, size_t elem, size_t cap) {
  void *n = realloc(*p, elem * cap);
  if (n == NULL) return -1;
  *p = n;
  return 0;
}

static int listing_push(listing *l, const char *name, uint8_t kind, double size, double mtime) {
  size_t len = 1;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++, len++)
    if (*c >= 0x80) l->ascii = 0;
  size_t need = l->names_len + len;
  if (need > l->names_cap) {
    size_t cap = l->names_cap ? l->names_cap * 2 : 4096;
    while (cap < need) cap *= 2;
    if (grow((void **)&l->names, 1, cap)) return -1;
    l->names_cap = cap;
  }
  memcpy(l->names + l->names_len, name, len);
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    if (grow((void **)&l->offsets, sizeof(size_t), cap) || grow((void **)&l->kinds, sizeof(uint8_t), cap) || grow((void **)&l->sizes, sizeof(double), cap) ||
        grow((void **)&l->mtimes, sizeof(double), cap))
      return -1;
    l->cap = cap;
  }
  l->offsets[l->count] = l->names_len;
  l->names_len += len;
  l->kinds[l->count] = kind;
  l->sizes[l->count] = size;
  l->mtimes[l->count] = mtime;
  l->count++;
  return 0;
}

/* Milliseconds since the epoch, floored (as Math.floor(stats.mtimeMs) gives). */
static double floor_ms(const struct timespec *t) {
  return (double)t->tv_sec * 1000.0 + (double)(t->tv_nsec / 1000000);
}

static uint8_t kind_of_mode(mode_t m) {
  if (S_ISREG(m)) return KIND_FILE;
  if (S_ISDIR(m)) return KIND_DIR;
  if (S_ISLNK(m)) return KIND_LINK;
  return KIND_OTHER;
}

/* Reads the folder into l; 0, or an errno. */
static int read_folder(const char *path, listing *l) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  DIR *dir = fdopendir(fd);
  if (dir == NULL) {
    int e = errno;
    close(fd);
    return e;
  }
  int err = 0;
  for (;;) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (d == NULL) {
      err = errno;
      break;
    }
    const char *n = d->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
    uint8_t kind = KIND_OTHER;
    double size = 0, mtime = 0;
    if (d->d_type == DT_REG || d->d_type == DT_UNKNOWN) {
      struct stat st;
      if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        kind = KIND_FAILED;
      } else {
        kind = kind_of_mode(st.st_mode);
        if (kind == KIND_FILE) {
          size = (double)st.st_size;
          mtime = floor_ms(&st.st_mtim);
        }
      }
    } else if (d->d_type == DT_DIR) {
      kind = KIND_DIR;
    } else if (d->d_type == DT_LNK) {
      kind = KIND_LINK;
    }
    if (listing_push(l, n, kind, size, mtime)) {
      err = ENOMEM;
      break;
    }
  }
  closedir(dir);
  return err;
}

/* glibc's qsort_r: the names travel as the context, since two threads may list at once. */
static int by_name(const void *a, const void *b, void *names) {
  return strcmp((const char *)names + *(const size_t *)a, (const char *)names + *(const size_t *)b);
}

/* A typed array of count elements; *out receives its memory for the caller to fill. */
static napi_value typed(napi_env env, napi_typedarray_type type, size_t count, size_t elem, void **out) {
  napi_value ab, arr;
  if (napi_create_arraybuffer(env, count * elem, out, &ab) != napi_ok) return NULL;
  if (napi_create_typedarray(env, type, count, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

/* The listing sorted by name as JS values: names joined by NUL and three parallel arrays. */
static napi_value build(napi_env env, listing *l) {
  size_t n = l->count;
  size_t *order = malloc((n ? n : 1) * sizeof(size_t));
  char *joined = malloc(l->names_len ? l->names_len : 1);
  napi_value result = NULL;
  if (order == NULL || joined == NULL) goto done;
  /* Sort the names' offsets; an entry is found again from its offset (they grow with the index). */
  memcpy(order, l->offsets, n * sizeof(size_t));
  qsort_r(order, n, sizeof(size_t), by_name, l->names);
  uint8_t *kinds;
  double *sizes, *mtimes;
  napi_value kinds_v = typed(env, napi_uint8_array, n, sizeof(uint8_t), (void **)&kinds);
  napi_value sizes_v = typed(env, napi_float64_array, n, sizeof(double), (void **)&sizes);
  napi_value mtimes_v = typed(env, napi_float64_array, n, sizeof(double), (void **)&mtimes);
  if (kinds_v == NULL || sizes_v == NULL || mtimes_v == NULL) goto done;
  size_t len = 0;
  for (size_t k = 0; k < n; k++) {
    size_t off = order[k];
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      if (l->offsets[mid] <= off) lo = mid;
      else hi = mid;
    }
    kinds[k] = l->kinds[lo];
    sizes[k] = l->sizes[lo];
    mtimes[k] = l->mtimes[lo];
    const char *name = l->names + off;
    size_t nl = strlen(name);
    if (k > 0) joined[len++] = '\0';
    memcpy(joined + len, name, nl);
    len += nl;
  }
  napi_value names_v, ascii_v;
  if (napi_create_string_utf8(env, joined, len, &names_v) != napi_ok) goto done;
  if (napi_get_boolean(env, l->ascii != 0, &ascii_v) != napi_ok) goto done;
  if (napi_create_object(env, &result) != napi_ok) goto done;
  if (napi_set_named_property(env, result, "names", names_v) != napi_ok ||
      napi_set_named_property(env, result, "kinds", kinds_v) != napi_ok ||
      napi_set_named_property(env, result, "sizes", sizes_v) != napi_ok ||
      napi_set_named_property(env, result, "mtimes", mtimes_v) != napi_ok ||
      napi_set_named_property(env, result, "ascii", ascii_v) != napi_ok)
    result = NULL;
done:
  free(order);
  free(joined);
  return result;
}

napi_value mm_list_folder(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (mm_args(env, info, 1, &argc, argv, "listFolder(path): path is required")) return NULL;
  char *path = mm_string_arg(env, argv[0]);
  if (path == NULL) return NULL;
  listing l = {.ascii = 1};
  int err = read_folder(path, &l);
  free(path);
  napi_value result;
  if (err != 0) {
    listing_free(&l);
    MM_CHECK(env, napi_create_int32(env, err, &result));
    return result;
  }
  result = build(env, &l);
  listing_free(&l);
  if (result == NULL) napi_throw_error(env, NULL, "megamirror native: could not build the folder listing");
  return result;
}
