/* A minimal unit-test harness: CHECK macros that count and report, and a
 * closing line "N passed, N failed" that ctest output shows. */
#ifndef DC_TEST_H
#define DC_TEST_H

#include <stdio.h>
#include <string.h>

static int dc_t_pass, dc_t_fail;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            dc_t_pass++;                                                              \
        } else {                                                                      \
            dc_t_fail++;                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_STR(a, b)                                                               \
    do {                                                                              \
        const char *dc_t_a = (a), *dc_t_b = (b);                                      \
        if (dc_t_a && dc_t_b && strcmp(dc_t_a, dc_t_b) == 0) {                        \
            dc_t_pass++;                                                              \
        } else {                                                                      \
            dc_t_fail++;                                                              \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,       \
                    __LINE__, #a, dc_t_a ? dc_t_a : "(null)", dc_t_b ? dc_t_b : "(null)"); \
        }                                                                             \
    } while (0)

#define CHECK_INT(a, b)                                                               \
    do {                                                                              \
        long long dc_t_a = (long long)(a), dc_t_b = (long long)(b);                   \
        if (dc_t_a == dc_t_b) {                                                       \
            dc_t_pass++;                                                              \
        } else {                                                                      \
            dc_t_fail++;                                                              \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, \
                    #a, dc_t_a, dc_t_b);                                              \
        }                                                                             \
    } while (0)

#define TEST_DONE()                                                                   \
    (printf("%d passed, %d failed\n", dc_t_pass, dc_t_fail), dc_t_fail ? 1 : 0)

#endif
