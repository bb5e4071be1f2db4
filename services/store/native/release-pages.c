/*
 * One call Node does not offer: madvise(MADV_DONTNEED) over a read-only file
 * mapping, so the pages of the engine's library that only its start-up touched
 * leave the process's resident set (release-pages.ts says when and why).
 *
 * Built without Node's headers (build.mjs beside this file): the few N-API
 * functions used are declared here, and resolved from the node binary when
 * the module loads.
 */
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <sys/mman.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

extern napi_status napi_get_cb_info(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *this_arg, void **data);
extern napi_status napi_get_value_double(napi_env env, napi_value value, double *result);
extern napi_status napi_create_int32(napi_env env, int32_t value, napi_value *result);
extern napi_status napi_create_function(napi_env env, const char *name, size_t length, napi_callback cb, void *data, napi_value *result);
extern napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value);

/* dontneed(start, length): 0, or the errno madvise gave. Addresses of user space fit a double exactly. */
static napi_value dontneed(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double start = 0, length = 0;
  int32_t rc = EINVAL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == 0 && argc == 2
      && napi_get_value_double(env, argv[0], &start) == 0 && napi_get_value_double(env, argv[1], &length) == 0) {
    rc = madvise((void *)(uintptr_t)start, (size_t)length, MADV_DONTNEED) == 0 ? 0 : errno;
  }
  napi_value out;
  napi_create_int32(env, rc, &out);
  return out;
}

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "dontneed", 8, dontneed, NULL, &fn) == 0) napi_set_named_property(env, exports, "dontneed", fn);
  return exports;
}
