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
 * checkSource is true, src is stat'ed again and must still have limit bytes and mtimeMs (else
 * nothing is committed and the job rejects with errno 0, syscall "source-changed"); then dst is
 * renamed to final. A copy of another length is removed, not committed (the caller reports it).
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

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref state_ref;
  volatile double *state;
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
} copy_job;

static int fail(copy_job *j, int err, const char *syscall, int on_target) {
  j->err = err;
  j->syscall = syscall;
  j->on_target = on_target;
  return -1;
}

static int cancelled(copy_job *j) {
  return j->state != NULL && j->state[0] != 0;
}

static void progress(copy_job *j, uint64_t pos) {
  if (j->state != NULL) j->state[1] = (double)pos;
}

static int write_all(copy_job *j, int out, const char *buf, size_t len, uint64_t pos) {
  while (len > 0) {
    ssize_t w = pwrite(out, buf, len, (off_t)pos);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(j, errno, "write", 1);
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

/* Through a buffer from pos on, up to cap bytes in all; returns the new position or -1. */
static int64_t copy_buffered(copy_job *j, int in, int out, uint64_t pos, uint64_t cap) {
  size_t size = SMALL;
  if (thread_buf == NULL) thread_buf = malloc(SMALL);
  char *buf = thread_buf;
  if (buf == NULL) return fail(j, ENOMEM, "read", 0);
  while (pos < cap) {
    if (cancelled(j)) return fail(j, ECANCELED, "read", 0);
    size_t want = cap - pos < size ? (size_t)(cap - pos) : size;
    ssize_t n = pread(in, buf, want, (off_t)pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(j, errno, "read", 0);
    }
    if (n == 0) break;
    if (write_all(j, out, buf, (size_t)n, pos)) return -1;
    pos += (uint64_t)n;
    progress(j, pos);
  }
  return (int64_t)pos;
}

/* In the kernel; falls back to the buffer where copy_file_range cannot serve this pair. */
static int64_t copy_in_kernel(copy_job *j, int in, int out, uint64_t cap) {
  uint64_t pos = 0;
  while (pos < cap) {
    if (cancelled(j)) return fail(j, ECANCELED, "copy_file_range", 0);
    size_t want = cap - pos < CHUNK ? (size_t)(cap - pos) : CHUNK;
    loff_t off_in = (loff_t)pos, off_out = (loff_t)pos;
    ssize_t n = copy_file_range(in, &off_in, out, &off_out, want, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP || errno == EPERM ||
          errno == ETXTBSY || errno == EBADF)
        break;
      return fail(j, errno, "copy_file_range", 0);
    }
    /* 0 is the end of the file, or a filesystem that reports 0 for what it cannot do: reads confirm. */
    if (n == 0) break;
    pos += (uint64_t)n;
    progress(j, pos);
  }
  if (pos >= cap) return (int64_t)pos;
  return copy_buffered(j, in, out, pos, cap);
}

/* The copy is whole: check the source again if asked, then rename into place. 0, or -1. */
static int commit(copy_job *j) {
  if (j->bytes != j->limit) return 0; /* not committed: the caller sees the length */
  if (j->check_source) {
    struct stat st;
    if (stat(j->src, &st) != 0) return fail(j, errno, "stat", 0);
    struct timespec t = st.st_mtim;
    int same_time = !j->set_mtime || (t.tv_sec == j->mtime.tv_sec && t.tv_nsec / 1000000 == j->mtime.tv_nsec / 1000000);
    if ((uint64_t)st.st_size != j->limit || !same_time) return fail(j, 0, "source-changed", 0);
  }
  if (rename(j->dst, j->final) != 0) return fail(j, errno, "rename", 1);
  return 0;
}

static void execute(napi_env env, void *data) {
  (void)env;
  copy_job *j = data;
  int in = open(j->src, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    fail(j, errno, "open", 0);
    return;
  }
  int out = open(j->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (out < 0) {
    fail(j, errno, "open", 1);
    close(in);
    return;
  }
  uint64_t cap = j->limit + 1;
  int64_t pos = j->limit < SMALL ? copy_buffered(j, in, out, 0, cap) : copy_in_kernel(j, in, out, cap);
  int ok = pos >= 0;
  if (ok) j->bytes = (uint64_t)pos;
  if (ok && j->set_mtime) {
    struct timespec times[2] = {{.tv_sec = 0, .tv_nsec = UTIME_NOW}, j->mtime};
    if (futimens(out, times) != 0) ok = fail(j, errno, "futime", 1) == 0;
  }
  /* A late write error (NFS, quota) can surface only here. */
  if (close(out) != 0 && ok) ok = fail(j, errno, "close", 1) == 0;
  close(in);
  if (ok && j->final != NULL) ok = commit(j) == 0;
  if (!ok || (j->final != NULL && j->bytes != j->limit)) unlink(j->dst);
}

static void job_free(copy_job *j) {
  free(j->src);
  free(j->dst);
  free(j->final);
  free(j);
}

static void complete(napi_env env, napi_status status, void *data) {
  copy_job *j = data;
  napi_value v;
  if (status == napi_ok && j->err == 0 && j->syscall == NULL) {
    napi_create_double(env, (double)j->bytes, &v);
    napi_resolve_deferred(env, j->deferred, v);
  } else {
    napi_value errno_v, syscall_v, target_v;
    napi_create_object(env, &v);
    napi_create_int32(env, status == napi_ok ? j->err : ECANCELED, &errno_v);
    napi_create_string_utf8(env, j->syscall ? j->syscall : "copy", NAPI_AUTO_LENGTH, &syscall_v);
    napi_get_boolean(env, j->on_target != 0, &target_v);
    napi_set_named_property(env, v, "errno", errno_v);
    napi_set_named_property(env, v, "syscall", syscall_v);
    napi_set_named_property(env, v, "target", target_v);
    napi_reject_deferred(env, j->deferred, v);
  }
  if (j->state_ref != NULL) napi_delete_reference(env, j->state_ref);
  napi_delete_async_work(env, j->work);
  job_free(j);
}

napi_value mm_copy_file(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (mm_args(env, info, 4, &argc, argv, "copyFile(src, dst, limit, mtimeMs, state?, final?, checkSource?): too few arguments")) return NULL;
  copy_job *j = calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, NULL, "megamirror native: out of memory");
    return NULL;
  }
  j->src = mm_string_arg(env, argv[0]);
  j->dst = j->src ? mm_string_arg(env, argv[1]) : NULL;
  if (j->dst == NULL) {
    job_free(j);
    return NULL;
  }
  double limit = -1;
  napi_get_value_double(env, argv[2], &limit);
  if (!(limit >= 0 && limit <= 9007199254740991.0)) {
    job_free(j);
    napi_throw_range_error(env, NULL, "copyFile: limit must be a byte count");
    return NULL;
  }
  j->limit = (uint64_t)limit;
  napi_valuetype t;
  MM_CHECK(env, napi_typeof(env, argv[3], &t));
  if (t == napi_number) {
    double ms = 0;
    napi_get_value_double(env, argv[3], &ms);
    if (!isfinite(ms)) {
      job_free(j);
      napi_throw_range_error(env, NULL, "copyFile: mtimeMs must be finite");
      return NULL;
    }
    int64_t whole = (int64_t)floor(ms);
    int64_t sec = whole >= 0 ? whole / 1000 : -((-whole + 999) / 1000);
    j->mtime.tv_sec = (time_t)sec;
    j->mtime.tv_nsec = (long)((whole - sec * 1000) * 1000000);
    j->set_mtime = 1;
  }
  if (argc >= 6) {
    MM_CHECK(env, napi_typeof(env, argv[5], &t));
    if (t == napi_string) {
      j->final = mm_string_arg(env, argv[5]);
      if (j->final == NULL) {
        job_free(j);
        return NULL;
      }
    }
  }
  if (argc >= 7) {
    bool check = false;
    napi_get_value_bool(env, argv[6], &check);
    j->check_source = check && j->final != NULL;
  }
  if (argc >= 5) {
    MM_CHECK(env, napi_typeof(env, argv[4], &t));
    bool is_typed = false;
    if (t == napi_object) napi_is_typedarray(env, argv[4], &is_typed);
    if (is_typed) {
      napi_typedarray_type tt;
      size_t len;
      void *data;
      MM_CHECK(env, napi_get_typedarray_info(env, argv[4], &tt, &len, &data, NULL, NULL));
      if (tt != napi_float64_array || len < 2) {
        job_free(j);
        napi_throw_type_error(env, NULL, "copyFile: state must be a Float64Array of 2");
        return NULL;
      }
      /* Held by a reference until the job completes, so the memory stays put. */
      MM_CHECK(env, napi_create_reference(env, argv[4], 1, &j->state_ref));
      j->state = data;
    }
  }
  napi_value promise, name;
  MM_CHECK(env, napi_create_promise(env, &j->deferred, &promise));
  MM_CHECK(env, napi_create_string_utf8(env, "megamirror.copyFile", NAPI_AUTO_LENGTH, &name));
  MM_CHECK(env, napi_create_async_work(env, NULL, name, execute, complete, j, &j->work));
  MM_CHECK(env, napi_queue_async_work(env, j->work));
  return promise;
}
