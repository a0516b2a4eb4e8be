/*
 * copyFile(src, dst, limit, mtimeMs, state?) -> Promise<bytes>: one whole file copy as a single
 * job on libuv's thread pool, where fs needs a round trip per open, read, write, utimes and close.
 *
 * dst is created exclusively (never overwrites), gets at most limit + 1 bytes of src (a file
 * that keeps growing cannot make the copy run for ever, and the extra byte shows the growth to
 * the caller as a size mismatch), and stops at src's end as it is now (a shrinking source ends
 * the copy early: no endless loop as in libuv's own copyfile). mtimeMs (a number, or null to
 * leave it) is set exactly, to the nanosecond, with atime now. Big files move in the kernel
 * (copy_file_range), small ones through one buffer. state, a Float64Array of 2, lets the caller
 * cancel between 8 MiB chunks (state[0] != 0) and read progress (state[1] = bytes so far).
 *
 * With final (a path), a copy of exactly limit bytes is also committed in the same job: when
 * checkSource is true, the source as opened must still have limit bytes and mtimeMs (fstat; else
 * nothing is committed and the job rejects with errno 0, syscall "source-changed"); then dst is
 * renamed to final. A copy of another length is removed, not committed (the caller reports it).
 * copyFiles (at the end) runs several such copies in one job.
 *
 * Any failure removes dst and rejects with { errno, syscall, target } (target: true when the
 * failing call was on dst), from which the caller builds the usual Node error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "native.h"

#define CHUNK (8 * 1024 * 1024)
/* Below this, one buffer and plain reads: a single read also finds the end of the file. */
#define SMALL (1024 * 1024)

/* One file to copy, and what became of it. */
typedef struct {
  char *src, *dst, *final;
  uint64_t limit;
  int set_mtime;
  struct timespec mtime;
  int check_source;
  /* results */
  uint64_t bytes;
  int err;
  const char *syscall;
  int on_target;
} copy_item;

/* One thread-pool job: one file (copyFile) or several in a row (copyFiles). */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref state_ref;
  volatile double *state;
  /* copyFiles: the promise resolves with an array, one result per item */
  int batch;
  size_t n;
  copy_item *items;
} copy_job;

static int fail(copy_item *it, int err, const char *syscall, int on_target) {
  it->err = err;
  it->syscall = syscall;
  it->on_target = on_target;
  return -1;
}

static int cancelled(volatile double *state) {
  return state != NULL && state[0] != 0;
}

static void progress(volatile double *state, uint64_t pos) {
  if (state != NULL) state[1] = (double)pos;
}

static int write_all(copy_item *it, int out, const char *buf, size_t len, uint64_t pos) {
  while (len > 0) {
    ssize_t w = pwrite(out, buf, len, (off_t)pos);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(it, errno, "write", 1);
    }
    buf += w;
    len -= (size_t)w;
    pos += (uint64_t)w;
  }
  return 0;
}

/*
 * One buffer per pool thread, kept for the thread's life: a fresh one per file cost a malloc and,
 * above glibc's mmap threshold, page faults on every copy.
 */
static __thread char *thread_buf;

/*
 * Through a buffer from pos on, up to cap bytes in all; returns the new position or -1. A short
 * read that ends exactly at the planned size is taken as the end when the source is checked
 * (fstat) before the commit anyway: a source that grows meanwhile fails that check, and the read
 * that would only have returned 0 is saved (one system call of about ten per small file).
 */
static int64_t copy_buffered(copy_item *it, volatile double *state, int in, int out, uint64_t pos, uint64_t cap) {
  size_t size = SMALL;
  if (thread_buf == NULL) thread_buf = malloc(SMALL);
  char *buf = thread_buf;
  if (buf == NULL) return fail(it, ENOMEM, "read", 0);
  while (pos < cap) {
    if (cancelled(state)) return fail(it, ECANCELED, "read", 0);
    size_t want = cap - pos < size ? (size_t)(cap - pos) : size;
    ssize_t n = pread(in, buf, want, (off_t)pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(it, errno, "read", 0);
    }
    if (n == 0) break;
    if (write_all(it, out, buf, (size_t)n, pos)) return -1;
    pos += (uint64_t)n;
    progress(state, pos);
    if ((size_t)n < want && pos == it->limit && it->check_source) break;
  }
  return (int64_t)pos;
}

/* In the kernel; falls back to the buffer where copy_file_range cannot serve this pair. */
static int64_t copy_in_kernel(copy_item *it, volatile double *state, int in, int out, uint64_t cap) {
  uint64_t pos = 0;
  while (pos < cap) {
    if (cancelled(state)) return fail(it, ECANCELED, "copy_file_range", 0);
    size_t want = cap - pos < CHUNK ? (size_t)(cap - pos) : CHUNK;
    loff_t off_in = (loff_t)pos, off_out = (loff_t)pos;
    ssize_t n = copy_file_range(in, &off_in, out, &off_out, want, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP || errno == EPERM ||
          errno == ETXTBSY || errno == EBADF)
        break;
      return fail(it, errno, "copy_file_range", 0);
    }
    /* 0 is the end of the file, or a filesystem that reports 0 for what it cannot do: reads confirm. */
    if (n == 0) break;
    pos += (uint64_t)n;
    progress(state, pos);
  }
  if (pos >= cap) return (int64_t)pos;
  return copy_buffered(it, state, in, out, pos, cap);
}

/*
 * The source as read still has the planned size and mtime: checked on the open descriptor, so it
 * is the file whose bytes were copied (a path stat could see a file renamed over it since).
 */
static int source_unchanged(copy_item *it, int in) {
  struct stat st;
  if (fstat(in, &st) != 0) return fail(it, errno, "stat", 0);
  struct timespec t = st.st_mtim;
  int same_time = !it->set_mtime || (t.tv_sec == it->mtime.tv_sec && t.tv_nsec / 1000000 == it->mtime.tv_nsec / 1000000);
  if ((uint64_t)st.st_size != it->limit || !same_time) return fail(it, 0, "source-changed", 0);
  return 0;
}

static void copy_one(copy_item *it, volatile double *state) {
  int in = open(it->src, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    fail(it, errno, "open", 0);
    return;
  }
  int out = open(it->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (out < 0) {
    fail(it, errno, "open", 1);
    close(in);
    return;
  }
  uint64_t cap = it->limit + 1;
  int64_t pos = it->limit < SMALL ? copy_buffered(it, state, in, out, 0, cap) : copy_in_kernel(it, state, in, out, cap);
  int ok = pos >= 0;
  if (ok) it->bytes = (uint64_t)pos;
  if (ok && it->set_mtime) {
    struct timespec times[2] = {{.tv_sec = 0, .tv_nsec = UTIME_NOW}, it->mtime};
    if (futimens(out, times) != 0) ok = fail(it, errno, "futime", 1) == 0;
  }
  /* Whole: committed only when the source checks out (with check_source) and after close. */
  int whole = ok && it->final != NULL && it->bytes == it->limit;
  if (whole && it->check_source) ok = whole = source_unchanged(it, in) == 0;
  /* A late write error (NFS, quota) can surface only here. */
  if (close(out) != 0 && ok) ok = whole = fail(it, errno, "close", 1) == 0;
  close(in);
  if (whole && rename(it->dst, it->final) != 0) ok = fail(it, errno, "rename", 1) == 0;
  if (!ok || (it->final != NULL && it->bytes != it->limit)) unlink(it->dst);
}

static void execute(napi_env env, void *data) {
  (void)env;
  copy_job *j = data;
  for (size_t i = 0; i < j->n; i++) copy_one(&j->items[i], j->state);
}

static void job_free(copy_job *j) {
  for (size_t i = 0; i < j->n; i++) {
    free(j->items[i].src);
    free(j->items[i].dst);
    free(j->items[i].final);
  }
  free(j->items);
  free(j);
}

/* The bytes copied, or { errno, syscall, target } for an item that failed. */
static napi_value item_result(napi_env env, napi_status status, copy_item *it, int *failed) {
  napi_value v;
  *failed = !(status == napi_ok && it->err == 0 && it->syscall == NULL);
  if (!*failed) {
    napi_create_double(env, (double)it->bytes, &v);
    return v;
  }
  napi_value errno_v, syscall_v, target_v;
  napi_create_object(env, &v);
  napi_create_int32(env, status == napi_ok ? it->err : ECANCELED, &errno_v);
  napi_create_string_utf8(env, it->syscall ? it->syscall : "copy", NAPI_AUTO_LENGTH, &syscall_v);
  napi_get_boolean(env, it->on_target != 0, &target_v);
  napi_set_named_property(env, v, "errno", errno_v);
  napi_set_named_property(env, v, "syscall", syscall_v);
  napi_set_named_property(env, v, "target", target_v);
  return v;
}

static void complete(napi_env env, napi_status status, void *data) {
  copy_job *j = data;
  int failed = 0;
  if (j->batch) {
    napi_value arr;
    napi_create_array_with_length(env, j->n, &arr);
    for (size_t i = 0; i < j->n; i++) napi_set_element(env, arr, (uint32_t)i, item_result(env, status, &j->items[i], &failed));
    napi_resolve_deferred(env, j->deferred, arr);
  } else {
    napi_value v = item_result(env, status, &j->items[0], &failed);
    if (failed) napi_reject_deferred(env, j->deferred, v);
    else napi_resolve_deferred(env, j->deferred, v);
  }
  if (j->state_ref != NULL) napi_delete_reference(env, j->state_ref);
  napi_delete_async_work(env, j->work);
  job_free(j);
}

static copy_job *job_new(size_t n) {
  copy_job *j = calloc(1, sizeof *j);
  if (j != NULL) j->items = calloc(n == 0 ? 1 : n, sizeof *j->items);
  if (j == NULL || j->items == NULL) {
    free(j);
    return NULL;
  }
  j->n = n;
  return j;
}

/* The mtime to set, from floored milliseconds (before 1970 too). */
static void set_mtime(copy_item *it, double ms) {
  int64_t whole = (int64_t)floor(ms);
  int64_t sec = whole >= 0 ? whole / 1000 : -((-whole + 999) / 1000);
  it->mtime.tv_sec = (time_t)sec;
  it->mtime.tv_nsec = (long)((whole - sec * 1000) * 1000000);
  it->set_mtime = 1;
}

/*
 * src, dst, limit, mtimeMs, final, checkSource (from argv) into it: 0, or -1 after throwing.
 * final and checkSource may be absent (NULL).
 */
static int item_args(napi_env env, copy_item *it, napi_value *a) {
  it->src = mm_string_arg(env, a[0]);
  if (it->src == NULL) return -1;
  it->dst = mm_string_arg(env, a[1]);
  if (it->dst == NULL) return -1;
  double limit = -1;
  napi_get_value_double(env, a[2], &limit);
  if (!(limit >= 0 && limit <= 9007199254740991.0)) {
    napi_throw_range_error(env, NULL, "copyFile: limit must be a byte count");
    return -1;
  }
  it->limit = (uint64_t)limit;
  napi_valuetype t;
  if (napi_typeof(env, a[3], &t) != napi_ok) return -1;
  if (t == napi_number) {
    double ms = 0;
    napi_get_value_double(env, a[3], &ms);
    if (!isfinite(ms)) {
      napi_throw_range_error(env, NULL, "copyFile: mtimeMs must be finite");
      return -1;
    }
    set_mtime(it, ms);
  }
  if (a[4] != NULL) {
    if (napi_typeof(env, a[4], &t) != napi_ok) return -1;
    if (t == napi_string) {
      it->final = mm_string_arg(env, a[4]);
      if (it->final == NULL) return -1;
    }
  }
  if (a[5] != NULL) {
    bool check = false;
    napi_get_value_bool(env, a[5], &check);
    it->check_source = check && it->final != NULL;
  }
  return 0;
}

static napi_value queue(napi_env env, copy_job *j, const char *name_s) {
  napi_value promise, name;
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name_s, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    if (j->work != NULL) napi_delete_async_work(env, j->work);
    if (j->state_ref != NULL) napi_delete_reference(env, j->state_ref);
    job_free(j);
    napi_throw_error(env, NULL, "megamirror native: could not queue the copy");
    return NULL;
  }
  return promise;
}

napi_value mm_copy_file(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (mm_args(env, info, 4, &argc, argv, "copyFile(src, dst, limit, mtimeMs, state?, final?, checkSource?): too few arguments")) return NULL;
  copy_job *j = job_new(1);
  if (j == NULL) {
    napi_throw_error(env, NULL, "megamirror native: out of memory");
    return NULL;
  }
  napi_value a[6] = {argv[0], argv[1], argv[2], argv[3], argc >= 6 ? argv[5] : NULL, argc >= 7 ? argv[6] : NULL};
  if (item_args(env, &j->items[0], a)) {
    job_free(j);
    return NULL;
  }
  if (argc >= 5) {
    napi_valuetype t;
    bool is_typed = false;
    if (napi_typeof(env, argv[4], &t) == napi_ok && t == napi_object) napi_is_typedarray(env, argv[4], &is_typed);
    if (is_typed) {
      napi_typedarray_type tt;
      size_t len;
      void *data;
      if (napi_get_typedarray_info(env, argv[4], &tt, &len, &data, NULL, NULL) != napi_ok || tt != napi_float64_array || len < 2) {
        job_free(j);
        napi_throw_type_error(env, NULL, "copyFile: state must be a Float64Array of 2");
        return NULL;
      }
      /* Held by a reference until the job completes, so the memory stays put. */
      if (napi_create_reference(env, argv[4], 1, &j->state_ref) != napi_ok) {
        job_free(j);
        napi_throw_error(env, NULL, "megamirror native: could not hold the state");
        return NULL;
      }
      j->state = data;
    }
  }
  return queue(env, j, "megamirror.copyFile");
}

/*
 * copyFiles(paths, numbers, checks) -> Promise<Array<bytes | { errno, syscall, target }>>: n copies
 * as by copyFile, one after the other in one thread-pool job (no state: for small files, which end
 * quickly). paths holds src, dst and final (empty: none) of each item, every one ended by a NUL;
 * numbers (a Float64Array) the limit and mtimeMs (NaN: leave it) of each; checks (a Uint8Array)
 * each item's checkSource. Flat arguments: one string and two typed arrays cost a few Node-API
 * calls where an array per item cost about twenty. One job for many small files spares a wake-up
 * of a pool thread and of the main thread per file. Never rejects: each item carries its result.
 */
napi_value mm_copy_files(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (mm_args(env, info, 3, &argc, argv, "copyFiles(paths, numbers, checks): too few arguments")) return NULL;
  double *nums;
  uint8_t *checks;
  size_t n_nums, n;
  {
    napi_typedarray_type t1, t2;
    bool typed1 = false, typed2 = false;
    void *d1, *d2;
    napi_is_typedarray(env, argv[1], &typed1);
    napi_is_typedarray(env, argv[2], &typed2);
    if (!typed1 || !typed2 || napi_get_typedarray_info(env, argv[1], &t1, &n_nums, &d1, NULL, NULL) != napi_ok ||
        napi_get_typedarray_info(env, argv[2], &t2, &n, &d2, NULL, NULL) != napi_ok || t1 != napi_float64_array ||
        t2 != napi_uint8_array || n_nums != 2 * n) {
      napi_throw_type_error(env, NULL, "copyFiles: numbers must be a Float64Array of 2n, checks a Uint8Array of n");
      return NULL;
    }
    nums = d1;
    checks = d2;
  }
  /* The whole string, its NUL separators included. */
  size_t len = 0;
  char *paths = mm_string_arg_len(env, argv[0], &len);
  if (paths == NULL) return NULL;
  copy_job *j = job_new(n);
  if (j == NULL) {
    free(paths);
    napi_throw_error(env, NULL, "megamirror native: out of memory");
    return NULL;
  }
  j->batch = 1;
  const char *p = paths, *end = paths + len;
  for (size_t i = 0; i < n; i++) {
    copy_item *it = &j->items[i];
    char **slots[3] = {&it->src, &it->dst, &it->final};
    for (int k = 0; k < 3; k++) {
      const char *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
      if (nul == NULL) {
        free(paths);
        job_free(j);
        napi_throw_type_error(env, NULL, "copyFiles: paths must hold src, dst and final, each ended by a NUL, for every item");
        return NULL;
      }
      if ((nul > p || k < 2) && (*slots[k] = strndup(p, (size_t)(nul - p))) == NULL) {
        free(paths);
        job_free(j);
        napi_throw_error(env, NULL, "megamirror native: out of memory");
        return NULL;
      }
      p = nul + 1;
    }
    double limit = nums[2 * i], ms = nums[2 * i + 1];
    if (!(limit >= 0 && limit <= 9007199254740991.0) || isinf(ms)) {
      free(paths);
      job_free(j);
      napi_throw_range_error(env, NULL, "copyFiles: each limit must be a byte count and each mtimeMs finite or NaN");
      return NULL;
    }
    it->limit = (uint64_t)limit;
    if (!isnan(ms)) set_mtime(it, ms);
    it->check_source = checks[i] != 0 && it->final != NULL;
  }
  int extra = p != end;
  free(paths);
  if (extra) {
    job_free(j);
    napi_throw_type_error(env, NULL, "copyFiles: paths holds more fields than items");
    return NULL;
  }
  return queue(env, j, "megamirror.copyFiles");
}
