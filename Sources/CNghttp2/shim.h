#ifndef FERRY_CNGHTTP2_SHIM_H
#define FERRY_CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

/*
 * Protections newer than the 1.52 API. Debian 12 backports them into its 1.52 package (where they
 * are already on, with the defaults below), upstream 1.52 lacks them: declared weak, they are
 * called when the linked library has them, and the wrappers say whether it did.
 */
#if NGHTTP2_VERSION_NUM < 0x013d00
extern void nghttp2_option_set_stream_reset_rate_limit(nghttp2_option *option, uint64_t burst, uint64_t rate)
    __attribute__((weak));
extern void nghttp2_option_set_max_continuations(nghttp2_option *option, size_t val) __attribute__((weak));
#endif

/* Rapid reset (CVE-2023-44487): a token bucket on incoming RST_STREAM; GOAWAY when it is empty. */
static inline int ferry_nghttp2_set_stream_reset_rate_limit(nghttp2_option *option, uint64_t burst, uint64_t rate) {
#if NGHTTP2_VERSION_NUM < 0x013d00
    if (!nghttp2_option_set_stream_reset_rate_limit) return 0;
#endif
    nghttp2_option_set_stream_reset_rate_limit(option, burst, rate);
    return 1;
}

/* CONTINUATION flood (CVE-2024-27316 class): at most this many CONTINUATION frames per header block. */
static inline int ferry_nghttp2_set_max_continuations(nghttp2_option *option, size_t count) {
#if NGHTTP2_VERSION_NUM < 0x013d00
    if (!nghttp2_option_set_max_continuations) return 0;
#endif
    nghttp2_option_set_max_continuations(option, count);
    return 1;
}

#endif
